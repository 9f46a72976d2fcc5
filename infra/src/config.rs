//! Configuration from the environment, with the variable names template.yaml sets.

use shared::auth::{ApiKey, KeyHash};
use shared::error::Result;

use shared::subscriptions::aws::Reserved;

use crate::webhook::AllowedNetworks;

/// The DynamoDB table name (AWS wiring).
pub const TABLE: &str = "PARTNER_EVENTS_TABLE";
/// The operator key itself (local runs, tests).
pub const OPERATOR_KEY: &str = "PARTNER_EVENTS_OPERATOR_KEY";
/// The Secrets Manager secret (ARN or name) holding the operator key (AWS wiring): read once
/// at start, so the key is never a template value or a plain environment variable.
pub const OPERATOR_KEY_SECRET: &str = "PARTNER_EVENTS_OPERATOR_KEY_SECRET";
/// The SQS queue URL accepted events wait in for fan-out (AWS wiring).
pub const FANOUT_QUEUE_URL: &str = "PARTNER_EVENTS_FANOUT_QUEUE_URL";
/// The SQS queue URL delivery tasks (retries, redeliveries) wait in (AWS wiring).
pub const DELIVERY_QUEUE_URL: &str = "PARTNER_EVENTS_DELIVERY_QUEUE_URL";
/// CIDR blocks (comma-separated) webhooks may reach besides public addresses, e.g. a VPC's
/// `10.0.0.0/8`; empty allows public addresses only.
pub const ALLOWED_WEBHOOK_NETWORKS: &str = "PARTNER_EVENTS_ALLOWED_WEBHOOK_NETWORKS";
/// The most webhook deliveries one process has in flight at once (default
/// `webhook::MAX_IN_FLIGHT`).
pub const MAX_DELIVERIES_IN_FLIGHT: &str = "PARTNER_EVENTS_MAX_DELIVERIES_IN_FLIGHT";
/// The public base URL of the API (endpoints and nextLinks are built on it); empty builds it
/// from each request's `Host` and the stage.
pub const PUBLIC_URL: &str = "PARTNER_EVENTS_PUBLIC_URL";
/// The API Gateway stage the API is served on (empty: the `$default` stage): taken off request
/// paths before routing.
pub const STAGE: &str = "PARTNER_EVENTS_STAGE";

/// `1` (or `true`): deliver to AWS targets (SQS, SNS, EventBridge, Kinesis, Lambda, S3 dead
/// letters) with the standard AWS environment's endpoint and credentials.
pub const AWS_TARGETS: &str = "PARTNER_EVENTS_AWS_TARGETS";
/// The deployment's own resources (comma-separated ARNs, a trailing `*` matching any rest):
/// never a delivery target.
pub const RESERVED_ARNS: &str = "PARTNER_EVENTS_RESERVED_ARNS";
/// The CloudWatch namespace of the functions' metrics (Embedded Metric Format); unset: none.
pub const METRICS_NAMESPACE: &str = "PARTNER_EVENTS_METRICS_NAMESPACE";

/// Days the delivery log keeps its entries (default 3).
pub const DELIVERY_LOG_DAYS: &str = "PARTNER_EVENTS_DELIVERY_LOG_DAYS";

/// What the wiring needs to know.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub table: Option<String>,
    pub fanout_queue_url: Option<String>,
    pub delivery_queue_url: Option<String>,
    /// The operator key's hash; with neither it nor a secret, only principals' keys work.
    pub operator: Option<KeyHash>,
    pub operator_secret: Option<String>,
    pub public_url: String,
    pub stage: String,
    pub webhook_networks: AllowedNetworks,
    pub max_deliveries_in_flight: Option<usize>,
    pub aws_targets: bool,
    pub reserved_arns: Reserved,
    /// Days the delivery log keeps its entries (none: the default).
    pub delivery_log_days: Option<u32>,
}

impl Config {
    /// The stage as a path prefix (`/prod`), empty for the `$default` stage.
    pub fn stage_prefix(&self) -> String {
        match self.stage.trim_matches('/') {
            "" => String::new(),
            stage => format!("/{stage}"),
        }
    }

    /// Reads the deployment's configuration from the environment.
    pub fn from_env() -> Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Ok(Self {
            table: var(TABLE),
            fanout_queue_url: var(FANOUT_QUEUE_URL),
            delivery_queue_url: var(DELIVERY_QUEUE_URL),
            operator: var(OPERATOR_KEY).map(|key| ApiKey::from_secret(key).hash()),
            operator_secret: var(OPERATOR_KEY_SECRET),
            public_url: var(PUBLIC_URL).unwrap_or_default(),
            stage: var(STAGE).filter(|s| s != "$default").unwrap_or_default(),
            webhook_networks: AllowedNetworks::parse(
                &var(ALLOWED_WEBHOOK_NETWORKS).unwrap_or_default(),
            )?,
            aws_targets: var(AWS_TARGETS)
                .is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true")),
            reserved_arns: Reserved::parse(&var(RESERVED_ARNS).unwrap_or_default()),
            delivery_log_days: match var(DELIVERY_LOG_DAYS) {
                None => None,
                Some(n) => Some(n.parse().ok().filter(|n| (1..=365).contains(n)).ok_or_else(
                    || {
                        shared::error::Error::internal(format!(
                            "{DELIVERY_LOG_DAYS} is '{n}'; set a whole number of days from 1 to 365"
                        ))
                    },
                )?),
            },
            max_deliveries_in_flight: match var(MAX_DELIVERIES_IN_FLIGHT) {
                None => None,
                Some(n) => Some(n.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                    shared::error::Error::internal(format!(
                        "{MAX_DELIVERIES_IN_FLIGHT} is '{n}'; set a whole number above 0"
                    ))
                })?),
            },
        })
    }
}
