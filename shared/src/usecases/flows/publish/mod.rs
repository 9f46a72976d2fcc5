//! Publishing: authenticate the publisher, route every event to its partner topic (or take a
//! customer topic's events as they are), and enqueue them for fan-out, all or nothing.
//! [`Ingest`] holds what every publish of a process shares: the ports, the fan-out queue and the
//! caches. A publish reads one item, its endpoint's generation (`support::generations`);
//! namespaces, topics and routes are cached, and a cached entry is used only if it was loaded
//! under that generation or a later one, so a publish after a management call returned sees its
//! change. [`CACHE_TTL`] only bounds how long a time-based change (an activation deadline
//! passing) takes to be seen.

mod auth;
mod pack;
mod route;

use std::sync::Arc;

use time::Duration;

use crate::error::Result;
use crate::ingest::cache::GenerationCache;
use crate::ingest::cloudevents::Event;
use crate::ports::{Ports, Queue};
use crate::provisioning::custom_topic::CustomTopic;
use crate::provisioning::endpoint::PublishEndpoint;
use crate::provisioning::namespace::PartnerNamespace;

pub use auth::Publisher;
pub use route::TopicRoute;

/// How long a cached namespace or route may be used at most.
pub const CACHE_TTL: Duration = Duration::seconds(5);

/// Stable codes of the publish endpoint.
pub mod code {
    pub const NAMESPACE_NOT_FOUND: &str = "PartnerNamespaceNotFound";
    pub const TOPIC_NOT_FOUND: &str = "TopicNotFound";
    pub const LOCAL_AUTH_DISABLED: &str = "LocalAuthDisabled";
    pub const CHANNEL_NAME_REQUIRED: &str = "ChannelNameRequired";
    pub const CHANNEL_NOT_FOUND: &str = "ChannelNotFound";
    pub const NO_CHANNEL_FOR_SOURCE: &str = "NoChannelForSource";
    pub const TOPIC_NOT_ACTIVATED: &str = "PartnerTopicNotActivated";
}

/// The publish flow of one process: the ports, the queue accepted events wait in for fan-out,
/// and the caches every request shares.
pub struct Ingest {
    ports: Ports,
    fanout: Arc<dyn Queue>,
    namespaces: GenerationCache<String, Arc<PartnerNamespace>>,
    topics: GenerationCache<String, Arc<CustomTopic>>,
    routes: GenerationCache<(String, String), TopicRoute>,
}

/// The endpoint a publish addressed, as that publish sees it.
#[derive(Debug, Clone)]
pub enum Target {
    Namespace(Arc<PartnerNamespace>),
    Topic(Arc<CustomTopic>),
}

/// An authenticated publish's endpoint, and the generation it was read under.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub target: Target,
    pub generation: u64,
}

/// A kind of endpoint one can publish to: where [`Ingest`] caches it and its 404 code.
pub trait Published: PublishEndpoint {
    /// The publish endpoint's 404 code.
    const NOT_FOUND: &'static str;
    /// Where `ingest` caches endpoints of this kind, by lower-cased name.
    fn cache(ingest: &Ingest) -> &GenerationCache<String, Arc<Self>>;
    /// The found endpoint as a publish's target.
    fn target(found: Arc<Self>) -> Target;
}

impl Published for PartnerNamespace {
    const NOT_FOUND: &'static str = code::NAMESPACE_NOT_FOUND;
    fn cache(ingest: &Ingest) -> &GenerationCache<String, Arc<Self>> {
        &ingest.namespaces
    }
    fn target(found: Arc<Self>) -> Target {
        Target::Namespace(found)
    }
}

impl Published for CustomTopic {
    const NOT_FOUND: &'static str = code::TOPIC_NOT_FOUND;
    fn cache(ingest: &Ingest) -> &GenerationCache<String, Arc<Self>> {
        &ingest.topics
    }
    fn target(found: Arc<Self>) -> Target {
        Target::Topic(found)
    }
}

impl Ingest {
    /// The publish flow over `ports`, enqueueing accepted events on `fanout`, caches empty.
    pub fn new(ports: Ports, fanout: Arc<dyn Queue>) -> Self {
        Self {
            ports,
            fanout,
            namespaces: GenerationCache::new(CACHE_TTL, 10_000),
            topics: GenerationCache::new(CACHE_TTL, 10_000),
            routes: GenerationCache::new(CACHE_TTL, 100_000),
        }
    }

    /// Finds the endpoint of kind `E` named `name`, checks that its network settings admit the
    /// publisher's address, and checks its key or SAS token against the endpoint's keys
    /// (either works). `url` is the URL the publisher addressed.
    pub async fn authenticate<E: Published>(
        &self,
        name: &str,
        url: &str,
        publisher: &Publisher,
    ) -> Result<Authenticated> {
        let (found, generation) = auth::cached_by_name::<E>(self, name).await?;
        auth::check_publisher(&self.ports, found.access(), found.keys(), url, publisher)?;
        Ok(Authenticated {
            target: E::target(found),
            generation,
        })
    }

    /// Accepts every event, or none, and returns how many once all are durably enqueued. A
    /// namespace routes each event to its partner topic (by `channel`, the `aeg-channel-name`
    /// header, or by the event's source) and refuses topics that are not activated; a customer
    /// topic takes them as they are.
    pub async fn publish(
        &self,
        endpoint: &Authenticated,
        channel: Option<&str>,
        events: Vec<Event>,
    ) -> Result<usize> {
        let count = events.len();
        let routed = match &endpoint.target {
            Target::Namespace(namespace) => {
                route::by_topic(self, endpoint.generation, namespace, channel, events).await?
            }
            Target::Topic(topic) => vec![(topic.id.clone(), events)],
        };
        let published_at = crate::time_format::rfc3339(self.ports.clock.now());
        let mut bodies = Vec::new();
        for (topic, events) in routed {
            let packed = pack::pack(
                &self.ports,
                &topic,
                &published_at,
                endpoint.generation,
                events,
            );
            bodies.extend(packed.await?);
        }
        self.fanout.send(bodies, std::time::Duration::ZERO).await?;
        crate::metrics::published(count);
        Ok(count)
    }
}
