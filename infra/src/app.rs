//! The wiring: the one place that chooses adapters for the ports.

use std::path::Path;
use std::sync::Arc;

use shared::auth::KeyHash;
use shared::error::{Error, Result};
use shared::ports::{Clock, Ports, Queue, SystemClock, Webhooks};
use shared::usecases::publish::IngestCache;

use crate::config::Config;
use crate::dynamo::DynamoStore;
use crate::embedded::{EmbeddedQueue, EmbeddedStore};

/// Everything a router or handler needs: the ports and the deployment's settings.
#[derive(Clone)]
pub struct App {
    pub ports: Ports,
    /// Where accepted events wait for fan-out.
    pub fanout: Arc<dyn Queue>,
    /// The publish path's caches.
    pub ingest: Arc<IngestCache>,
    /// Subscribers' endpoints (the handshake, deliveries).
    pub webhooks: Arc<dyn Webhooks>,
    pub operator: Arc<KeyHash>,
    pub public_url: Arc<str>,
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
        let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table);
        let url = config
            .fanout_queue_url
            .clone()
            .ok_or_else(|| Error::internal(format!("set {}", crate::config::FANOUT_QUEUE_URL)))?;
        let fanout = crate::sqs::SqsQueue::new(aws_sdk_sqs::Client::new(&sdk), url);
        let ports = Ports {
            store: Arc::new(store),
            clock: Arc::new(SystemClock),
        };
        Self::new(ports, Arc::new(fanout), config)
    }

    /// The embedded wiring: everything in `data_dir`.
    pub fn embedded(data_dir: &Path, config: &Config, clock: Arc<dyn Clock>) -> Result<Self> {
        let store = EmbeddedStore::open(data_dir)?;
        let fanout = EmbeddedQueue::open(data_dir, "fanout")?;
        Self::new(
            Ports {
                store: Arc::new(store),
                clock,
            },
            Arc::new(fanout),
            config,
        )
    }

    pub fn new(ports: Ports, fanout: Arc<dyn Queue>, config: &Config) -> Result<Self> {
        let webhooks = crate::webhook::HttpWebhooks::new(config.allow_private_webhooks)?;
        Ok(Self {
            webhooks: Arc::new(webhooks),
            ports,
            fanout,
            ingest: Arc::new(IngestCache::default()),
            operator: Arc::new(config.operator),
            public_url: config.public_url.trim_end_matches('/').into(),
        })
    }
}
