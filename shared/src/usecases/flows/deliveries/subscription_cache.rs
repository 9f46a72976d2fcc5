//! A topic's live subscriptions with their filters compiled, cached so the fan-out reads the
//! table once per topic per change, not once per event. A fan-out message carries the
//! generation its publish was handled under, and an entry loaded before that generation is
//! never used, so a publish after a subscription change returned is matched against the new
//! subscriptions. Delivery tasks (retries) carry no generation: they see a change within
//! [`CACHE_TTL`].

use std::sync::Arc;

use crate::delivery::plan::Subscribers;
use crate::error::Result;
use crate::ids::{ResourceId, ResourceType};
use crate::ingest::cache::GenerationCache;
use crate::ports::Ports;
use crate::subscriptions::EventSubscription;
use crate::table;

/// How long a topic's subscriptions may be served from memory.
pub const CACHE_TTL: time::Duration = time::Duration::seconds(5);

/// Each topic's subscribers, by topic id.
pub struct SubscriptionCache {
    cache: GenerationCache<String, Arc<Subscribers>>,
}

impl Default for SubscriptionCache {
    fn default() -> Self {
        Self {
            cache: GenerationCache::new(CACHE_TTL, 10_000),
        }
    }
}

impl SubscriptionCache {
    /// The topic's unexpired subscriptions (enabled or not), as of `generation` of its publish
    /// endpoint or later (0: whatever is cached).
    pub async fn get(
        &self,
        ports: &Ports,
        topic: &ResourceId,
        generation: u64,
    ) -> Result<Arc<Subscribers>> {
        let now = ports.clock.now();
        let key = topic.to_string().to_lowercase();
        if let Some(found) = self.cache.get(&key, now, generation) {
            return Ok(found);
        }
        let generation = generation.max(self.cache.generation(&key));
        let (found, failed) = Subscribers::compile(load(ports, topic).await?);
        for (subscription, error) in failed {
            tracing::error!(subscription = %subscription, error = %error, "stored filter does not compile; the subscription matches nothing");
        }
        let found = Arc::new(found);
        self.cache.put(key, found.clone(), now, generation);
        Ok(found)
    }

    /// Drops the cached subscriptions of `topic` (after one of them changed here).
    pub fn forget(&self, topic: &ResourceId) {
        self.cache.remove(&topic.to_string().to_lowercase());
    }
}

/// The topic's unexpired subscriptions, as stored.
async fn load(ports: &Ports, topic: &ResourceId) -> Result<Vec<Arc<EventSubscription>>> {
    let now = ports.clock.now();
    let partition = table::subscription_partition(topic.subscription);
    let prefix = table::children_prefix(topic, ResourceType::EventSubscriptions);
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = ports
            .store
            .query(&partition, &prefix, after.as_deref(), 1000)
            .await?;
        for item in &page.items {
            let subscription: EventSubscription = table::decode(&item.body)?;
            if !subscription.is_expired(now) {
                all.push(Arc::new(subscription));
            }
        }
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(all),
        }
    }
}
