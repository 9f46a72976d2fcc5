//! Tracing set-up: JSON lines on Lambda, readable lines locally; `RUST_LOG` filters.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls do nothing.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let on_lambda = std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some();
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = if on_lambda {
        builder.json().without_time().try_init()
    } else {
        builder.compact().try_init()
    };
}
