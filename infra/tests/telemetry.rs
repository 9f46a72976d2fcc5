//! The log level a function runs at: `RUST_LOG` when set, else Lambda's application log level
//! (the template's `LogLevel`), else info.

use infra::telemetry::filter;
use tracing::Level;

fn enables(rust_log: Option<&str>, lambda: Option<&str>, level: Level) -> bool {
    filter(rust_log, lambda).would_enable("infra::webhook", &level)
}

#[test]
fn lambdas_application_log_level_sets_the_level_unless_rust_log_does() {
    assert!(!enables(None, Some("WARN"), Level::INFO));
    assert!(enables(None, Some("WARN"), Level::WARN));
    assert!(!enables(None, Some("FATAL"), Level::WARN));
    assert!(enables(None, Some("FATAL"), Level::ERROR));
    assert!(enables(None, Some("debug"), Level::DEBUG));
    assert!(enables(Some("debug"), Some("WARN"), Level::DEBUG));
    assert!(enables(Some(""), None, Level::INFO));
    assert!(!enables(None, None, Level::DEBUG));
    assert!(enables(None, Some("nonsense"), Level::INFO));
}
