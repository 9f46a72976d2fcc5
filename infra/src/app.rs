//! The wiring: the one place that chooses adapters for the ports.

use std::path::Path;
use std::sync::Arc;

use shared::auth::KeyHash;
use shared::error::{Error, Result};
use shared::ports::{Clock, Ports, SystemClock};

use crate::config::Config;
use crate::dynamo::DynamoStore;
use crate::embedded::EmbeddedStore;

/// Everything a router or handler needs: the ports and the deployment's settings.
#[derive(Clone)]
pub struct App {
    pub ports: Ports,
    pub operator: Arc<KeyHash>,
    pub public_url: Arc<str>,
}

impl App {
    /// The AWS wiring: DynamoDB (endpoint and credentials from the standard AWS environment).
    pub async fn aws(config: &Config) -> Result<Self> {
        let table = config
            .table
            .clone()
            .ok_or_else(|| Error::internal(format!("set {}", crate::config::TABLE)))?;
        let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table);
        Ok(Self::new(
            Ports {
                store: Arc::new(store),
                clock: Arc::new(SystemClock),
            },
            config,
        ))
    }

    /// The embedded wiring: everything in `data_dir`.
    pub fn embedded(data_dir: &Path, config: &Config, clock: Arc<dyn Clock>) -> Result<Self> {
        let store = EmbeddedStore::open(data_dir)?;
        Ok(Self::new(
            Ports {
                store: Arc::new(store),
                clock,
            },
            config,
        ))
    }

    pub fn new(ports: Ports, config: &Config) -> Self {
        Self {
            ports,
            operator: Arc::new(config.operator),
            public_url: config.public_url.trim_end_matches('/').into(),
        }
    }
}
