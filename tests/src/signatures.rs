//! Signed deliveries checked by an independent verifier: the Standard Webhooks reference
//! library (`standardwebhooks` on PyPI), run by the python that `PARTNER_EVENTS_TEST_PYTHON`
//! names.

use serde_json::{Value, json};

use crate::python::python;
use crate::receiver::Delivery;

/// For each delivery, "ok" if `secret` verifies it, else the verifier's error. With `now`
/// (Unix seconds), the verifier's clock reads that (for a server on a manual clock).
pub async fn verify(secret: &str, deliveries: &[Delivery], now: Option<i64>) -> Vec<String> {
    let request = json!({
        "secret": secret,
        "now": now,
        "deliveries": deliveries
            .iter()
            .map(|d| json!({"headers": d.headers, "body": d.raw}))
            .collect::<Vec<Value>>(),
    });
    let input = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(input.path(), request.to_string()).unwrap();
    let script = format!("{}/compat/verify_webhooks.py", env!("CARGO_MANIFEST_DIR"));
    let output = tokio::process::Command::new(python())
        .arg(&script)
        .arg(input.path())
        .output()
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "verify_webhooks.py failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The signatures a delivery carries.
pub fn signatures(delivery: &Delivery) -> Vec<String> {
    delivery
        .header("webhook-signature")
        .unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}
