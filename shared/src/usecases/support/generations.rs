//! Read-your-writes for publishing. Every publish endpoint (a partner namespace or a customer
//! topic, by name; a customer subscription's system topic) has a generation: a counter bumped
//! in the same atomic write as every change that decides how a publish to it is handled (keys,
//! network settings, routes, activation, event subscriptions). A publish reads it once,
//! strongly consistent, and carries it to the fan-out; the ingest and fan-out caches never
//! serve an entry loaded before the generation a publish carries. So a publish accepted after a
//! management call returned is handled under the state that call left.

use crate::error::Result;
use crate::ids::{ResourceId, ResourceType, SubscriptionId};
use crate::ports::{Expect, Key, Ports, Write};
use crate::provisioning::topic::PartnerTopic;
use crate::table;

/// A publish endpoint, as its generation is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Namespace(String),
    Topic(String),
    SystemTopic(SubscriptionId),
}

impl Endpoint {
    /// The endpoint of the namespace that owns `channel`.
    pub fn of_channel(channel: &ResourceId) -> Endpoint {
        Endpoint::Namespace(channel.top_name().to_owned())
    }

    fn key(&self) -> Key {
        match self {
            Endpoint::Namespace(name) => table::generation("partnerNamespaces", name),
            Endpoint::Topic(name) => table::generation("topics", name),
            Endpoint::SystemTopic(subscription) => {
                table::generation("systemTopics", &subscription.to_string())
            }
        }
    }

    /// The write that bumps this endpoint's generation; it goes into the same batch as the
    /// change. (The generation is the item's version, which every put raises by one.)
    pub fn bump(&self) -> Write {
        Write::Put {
            key: self.key(),
            body: "{}".into(),
            expires_at: None,
            expect: Expect::Any,
        }
    }

    /// The current generation: 0 if nothing was ever written.
    pub async fn current(&self, ports: &Ports) -> Result<u64> {
        Ok(ports
            .store
            .get(&self.key())
            .await?
            .map_or(0, |item| item.version))
    }

    /// The endpoint whose publishes reach `topic` (a partner topic's namespace, a customer
    /// topic, a system topic); `None` for a partner topic that no longer exists.
    pub async fn of_topic(ports: &Ports, topic: &ResourceId) -> Result<Option<Endpoint>> {
        Ok(match topic.kind() {
            ResourceType::Topics => Some(Endpoint::Topic(topic.name().to_owned())),
            ResourceType::SystemTopics => Some(Endpoint::SystemTopic(topic.subscription)),
            _ => table::get::<PartnerTopic>(ports.store.as_ref(), &table::resource_key(topic))
                .await?
                .map(|t| Endpoint::of_channel(&t.value.channel)),
        })
    }
}
