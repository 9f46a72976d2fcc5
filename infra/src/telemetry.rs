//! Tracing set-up: JSON lines on Lambda, readable lines locally. `RUST_LOG` filters (`info`,
//! `warn,infra=debug`: a default level and per-target levels); without it, Lambda's
//! application log level (`AWS_LAMBDA_LOG_LEVEL`, the template's `LogLevel`) does; without
//! either, `info`.

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Set by Lambda from the function's `LoggingConfig.ApplicationLogLevel`.
pub const LAMBDA_LOG_LEVEL: &str = "AWS_LAMBDA_LOG_LEVEL";

/// Installs the global subscriber once; later calls do nothing.
pub fn init() {
    let filter = filter(
        std::env::var("RUST_LOG").ok().as_deref(),
        std::env::var(LAMBDA_LOG_LEVEL).ok().as_deref(),
    );
    let on_lambda = std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some();
    let registry = tracing_subscriber::registry().with(filter);
    let _ = if on_lambda {
        registry
            .with(tracing_subscriber::fmt::layer().json().without_time())
            .try_init()
    } else {
        registry
            .with(tracing_subscriber::fmt::layer().compact())
            .try_init()
    };
}

/// The filter for a `RUST_LOG` and a Lambda log level (`TRACE` ... `ERROR`, `FATAL`), either
/// possibly absent or unreadable.
pub fn filter(rust_log: Option<&str>, lambda_level: Option<&str>) -> Targets {
    let lambda = lambda_level.and_then(|level| match level.trim() {
        l if l.eq_ignore_ascii_case("fatal") => Some(LevelFilter::ERROR),
        l => l.parse::<LevelFilter>().ok(),
    });
    rust_log
        .filter(|spec| !spec.trim().is_empty())
        .and_then(|spec| spec.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(lambda.unwrap_or(LevelFilter::INFO)))
}
