//! The wiring: the one place that chooses adapters for the ports.

use std::sync::Arc;

use shared::auth::{ApiKey, KeyHash};
use shared::error::{Error, Result};
use shared::ports::{Destinations, Ports, Queue, SystemClock, Targets, Webhooks};
use shared::usecases::flows::deliveries::{Deliveries, random_jitter};
use shared::usecases::flows::publish::Ingest;

use crate::config::Config;
use crate::dynamo::DynamoStore;
#[cfg(feature = "embedded")]
use crate::embedded::{EmbeddedQueue, EmbeddedStore};

/// How the fan-out checkpoints the progress of the messages it is handling (see
/// `usecases::flows::deliveries::progress`): how often, and whether a settled message's progress is
/// written before it is acknowledged.
#[derive(Debug, Clone, Copy)]
pub struct Checkpoints {
    pub every: std::time::Duration,
    pub keep_completions: bool,
}

/// On AWS each write is a DynamoDB request, and a message of fast webhooks settles well within
/// a second, so most messages never write one; SQS deletes a record only after the invocation.
pub const AWS_CHECKPOINTS: Checkpoints = Checkpoints {
    every: std::time::Duration::from_secs(1),
    keep_completions: false,
};
/// On the embedded store a checkpoint is cheap, and a kill -9 then redoes at most this much of
/// each message; a settled message is recorded before the local worker acknowledges it.
pub const EMBEDDED_CHECKPOINTS: Checkpoints = Checkpoints {
    every: std::time::Duration::from_millis(10),
    keep_completions: true,
};

/// The embedded queues' names (files `queue-{name}.redb` in the data directory).
pub const FANOUT: &str = "fanout";
pub const DELIVERY: &str = "delivery";

/// Everything a router or handler needs: the ports and the deployment's settings.
#[derive(Clone)]
pub struct App {
    pub ports: Ports,
    /// Where accepted events wait for fan-out.
    pub fanout: Arc<dyn Queue>,
    /// Where retries and redelivered dead letters wait, with the delivery state.
    pub deliveries: Arc<Deliveries>,
    /// The publish flow, with its caches.
    pub ingest: Arc<Ingest>,
    /// Subscribers' endpoints and AWS targets (checks at PUT, deliveries).
    pub destinations: Destinations,
    pub operator: Arc<KeyHash>,
    pub public_url: Arc<str>,
    /// The API Gateway stage as a path prefix (`/prod`), or empty.
    pub stage: Arc<str>,
}

impl App {
    /// The AWS wiring: DynamoDB and SQS (endpoint and credentials from the standard AWS
    /// environment).
    pub async fn aws(config: &Config) -> Result<Self> {
        let table = config
            .table
            .clone()
            .ok_or_else(|| Error::internal(format!("set {}", crate::config::TABLE)))?;
        let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let mut config = config.clone();
        if let (None, Some(secret)) = (&config.operator, &config.operator_secret) {
            config.operator = Some(read_operator_key(&sdk, secret).await?);
        }
        let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table);
        let url = config
            .fanout_queue_url
            .clone()
            .ok_or_else(|| Error::internal(format!("set {}", crate::config::FANOUT_QUEUE_URL)))?;
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        let fanout = crate::sqs::SqsQueue::new(sqs.clone(), url);
        let delivery_url = config
            .delivery_queue_url
            .clone()
            .ok_or_else(|| Error::internal(format!("set {}", crate::config::DELIVERY_QUEUE_URL)))?;
        let delivery = crate::sqs::SqsQueue::new(sqs, delivery_url);
        let ports = Ports {
            store: Arc::new(store),
            clock: Arc::new(SystemClock),
        };
        let targets = targets_of(&config).await;
        Self::new(
            ports,
            Arc::new(fanout),
            Arc::new(delivery),
            &config,
            AWS_CHECKPOINTS,
            targets,
        )
    }

    /// The embedded wiring: everything in `data_dir`.
    #[cfg(feature = "embedded")]
    pub fn embedded(
        data_dir: &std::path::Path,
        config: &Config,
        clock: Arc<dyn shared::ports::Clock>,
        targets: Option<Arc<dyn Targets>>,
    ) -> Result<Self> {
        let store = EmbeddedStore::open(data_dir)?;
        let fanout = EmbeddedQueue::open_with_clock(data_dir, FANOUT, clock.clone())?;
        let delivery = EmbeddedQueue::open_with_clock(data_dir, DELIVERY, clock.clone())?;
        Self::new(
            Ports {
                store: Arc::new(store),
                clock,
            },
            Arc::new(fanout),
            Arc::new(delivery),
            config,
            EMBEDDED_CHECKPOINTS,
            targets,
        )
    }

    pub fn new(
        ports: Ports,
        fanout: Arc<dyn Queue>,
        delivery: Arc<dyn Queue>,
        config: &Config,
        checkpoints: Checkpoints,
        targets: Option<Arc<dyn Targets>>,
    ) -> Result<Self> {
        let webhooks: Arc<dyn Webhooks> = Arc::new(
            crate::webhook::HttpWebhooks::new(config.webhook_networks.clone())?.with_max_in_flight(
                config
                    .max_deliveries_in_flight
                    .unwrap_or(crate::webhook::MAX_IN_FLIGHT),
            ),
        );
        let operator = match config.operator {
            Some(hash) => hash,
            None => ApiKey::generate()?.hash(),
        };
        let destinations = Destinations {
            webhooks,
            targets,
            reserved: config.reserved_arns.clone(),
        };
        let deliveries = Deliveries::new(
            ports.clone(),
            delivery,
            destinations.clone(),
            Arc::new(random_jitter),
        )
        .with_checkpoints(checkpoints.every, checkpoints.keep_completions)
        .with_log_retention(
            config
                .delivery_log_days
                .unwrap_or(shared::usecases::flows::deliveries::log_writer::RETENTION_DAYS),
        );
        Ok(Self {
            destinations,
            deliveries: Arc::new(deliveries),
            ingest: Arc::new(Ingest::new(ports.clone(), fanout.clone())),
            ports,
            fanout,
            operator: Arc::new(operator),
            public_url: config.public_url.trim_end_matches('/').into(),
            stage: config.stage_prefix().into(),
        })
    }
}

/// The AWS targets adapter, when the configuration enables it (endpoint and credentials from
/// the standard AWS environment).
pub async fn targets_of(config: &Config) -> Option<Arc<dyn Targets>> {
    if !config.aws_targets {
        return None;
    }
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    Some(Arc::new(crate::aws_targets::AwsTargets::new(&sdk)))
}

/// The operator key from its Secrets Manager secret (a plain string, or JSON with a `key`).
async fn read_operator_key(sdk: &aws_config::SdkConfig, secret: &str) -> Result<KeyHash> {
    let value = aws_sdk_secretsmanager::Client::new(sdk)
        .get_secret_value()
        .secret_id(secret)
        .send()
        .await
        .map_err(|e| {
            Error::internal(format!(
                "reading the operator key secret '{secret}': {}",
                aws_sdk_secretsmanager::error::DisplayErrorContext(e)
            ))
        })?;
    let text = value
        .secret_string()
        .ok_or_else(|| Error::internal(format!("the secret '{secret}' has no string value")))?;
    Ok(ApiKey::from_secret(operator_key_of(text, secret)?).hash())
}

/// The operator key in a secret's text: the text itself, or the `key` of a JSON object.
pub fn operator_key_of(text: &str, secret: &str) -> Result<String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::internal(format!("the secret '{secret}' is empty")));
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(o)) => o
            .get("key")
            .and_then(|k| k.as_str())
            .map(str::to_owned)
            .ok_or_else(|| {
                Error::internal(format!(
                    "the JSON secret '{secret}' has no string field 'key'"
                ))
            }),
        _ => Ok(text.to_owned()),
    }
}
