//! Configuration from the environment, with the variable names template.yaml sets.

use shared::auth::{ApiKey, KeyHash};
use shared::error::{Error, Result};

/// The DynamoDB table name (AWS wiring).
pub const TABLE: &str = "PARTNER_EVENTS_TABLE";
/// The operator key itself (local runs, tests).
pub const OPERATOR_KEY: &str = "PARTNER_EVENTS_OPERATOR_KEY";
/// The SHA-256 (hex) of the operator key, so a deployment need not hold the key at all.
pub const OPERATOR_KEY_SHA256: &str = "PARTNER_EVENTS_OPERATOR_KEY_SHA256";
/// The SQS queue URL accepted events wait in for fan-out (AWS wiring).
pub const FANOUT_QUEUE_URL: &str = "PARTNER_EVENTS_FANOUT_QUEUE_URL";
/// The SQS queue URL delivery tasks (retries, redeliveries) wait in (AWS wiring).
pub const DELIVERY_QUEUE_URL: &str = "PARTNER_EVENTS_DELIVERY_QUEUE_URL";
/// `true` allows webhook targets on loopback and private networks (never on a public deployment).
pub const ALLOW_PRIVATE_WEBHOOKS: &str = "PARTNER_EVENTS_ALLOW_PRIVATE_WEBHOOKS";
/// The public base URL of the API (namespace endpoints and nextLinks are built on it).
pub const PUBLIC_URL: &str = "PARTNER_EVENTS_PUBLIC_URL";

/// What the wiring needs to know.
#[derive(Debug, Clone)]
pub struct Config {
    pub table: Option<String>,
    pub fanout_queue_url: Option<String>,
    pub delivery_queue_url: Option<String>,
    pub operator: KeyHash,
    pub public_url: String,
    pub allow_private_webhooks: bool,
}

impl Config {
    /// Reads the AWS deployment's configuration: the table, the operator key (or its hash) and
    /// the public URL.
    pub fn from_env() -> Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let operator = match (var(OPERATOR_KEY), var(OPERATOR_KEY_SHA256)) {
            (Some(key), _) => ApiKey::from_secret(key).hash(),
            (None, Some(hex)) => KeyHash::from_hex(&hex).ok_or_else(|| {
                Error::internal(format!("{OPERATOR_KEY_SHA256} is not 64 hex digits"))
            })?,
            (None, None) => {
                return Err(Error::internal(format!(
                    "set {OPERATOR_KEY} or {OPERATOR_KEY_SHA256}"
                )));
            }
        };
        Ok(Self {
            table: var(TABLE),
            fanout_queue_url: var(FANOUT_QUEUE_URL),
            delivery_queue_url: var(DELIVERY_QUEUE_URL),
            operator,
            public_url: var(PUBLIC_URL).unwrap_or_default(),
            allow_private_webhooks: var(ALLOW_PRIVATE_WEBHOOKS)
                .is_some_and(|v| v.eq_ignore_ascii_case("true")),
        })
    }
}
