//! Whose credentials a target is called with: the deployment's own, or a role assumed with
//! the owner's principal name as the external id. The SDK configuration of each role, and the
//! clients of each (credentials, region), are made once and kept.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use aws_config::sts::AssumeRoleProvider;
use aws_config::{Region, SdkConfig};
use aws_sdk_sqs::config::SharedCredentialsProvider;
use shared::subscriptions::aws::TargetRef;

use super::Clients;

/// The STS session name of every assumed role.
const SESSION_NAME: &str = "partner-events";

/// A role and its external id.
type Role = (String, String);

/// Credentials (a role, or the deployment's own) and a region (or the default one).
type Key = (Option<Role>, Option<String>);

/// The clients for each (role, region); no role is the deployment's own credentials, no
/// region its default one.
pub(super) struct Sessions {
    base: SdkConfig,
    roles: Mutex<HashMap<Role, SdkConfig>>,
    clients: Mutex<HashMap<Key, Arc<Clients>>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Sessions {
    pub(super) fn new(base: &SdkConfig) -> Self {
        Self {
            base: base.clone(),
            roles: Mutex::default(),
            clients: Mutex::default(),
        }
    }

    /// The clients for `target`'s credentials in `region` (the default one when `None`).
    pub(super) async fn clients(&self, target: &TargetRef, region: Option<&str>) -> Arc<Clients> {
        let role = target
            .role_arn
            .as_ref()
            .map(|arn| (arn.clone(), target.external_id.clone()));
        let key = (role, region.map(str::to_owned));
        if let Some(clients) = lock(&self.clients).get(&key) {
            return clients.clone();
        }
        let config = match &key.0 {
            Some(role) => self.role(role).await,
            None => self.base.clone(),
        };
        let config = match region {
            Some(region) => config
                .into_builder()
                .region(Region::new(region.to_owned()))
                .build(),
            None => config,
        };
        let clients = Arc::new(Clients::new(&config));
        lock(&self.clients).entry(key).or_insert(clients).clone()
    }

    /// The configuration whose credentials come from assuming `role` (the same provider for
    /// every region, so one set of credentials is cached and refreshed per role).
    async fn role(&self, role: &Role) -> SdkConfig {
        if let Some(config) = lock(&self.roles).get(role) {
            return config.clone();
        }
        let (arn, external_id) = role;
        let mut provider = AssumeRoleProvider::builder(arn)
            .session_name(SESSION_NAME)
            .configure(&self.base);
        if !external_id.is_empty() {
            provider = provider.external_id(external_id);
        }
        let provider = SharedCredentialsProvider::new(provider.build().await);
        let config = self
            .base
            .clone()
            .into_builder()
            .credentials_provider(provider)
            .build();
        lock(&self.roles)
            .entry(role.clone())
            .or_insert(config)
            .clone()
    }
}
