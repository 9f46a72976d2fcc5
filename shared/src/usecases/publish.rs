//! Publishing: authenticate the publisher, route every event to its partner topic (or take a
//! customer topic's events as they are), and enqueue them for fan-out, all or nothing.
//! A publish reads one item, its endpoint's generation (`usecases::generations`); namespaces,
//! topics and routes are cached, and a cached entry is used only if it was loaded under that
//! generation or a later one, so a publish after a management call returned sees its change.
//! [`CACHE_TTL`] only bounds how long a time-based change (an activation deadline passing)
//! takes to be seen.

use std::net::IpAddr;
use std::sync::Arc;

use time::Duration;

use super::generations::Endpoint;
use super::pairs::{self, ChannelRef};
use super::{custom_topics, namespaces};
use crate::error::{Error, Result};
use crate::ids::{ResourceId, ResourceType};
use crate::ingest::cache::GenerationCache;
use crate::ingest::cloudevents::Event;
use crate::ingest::sas::{self, Credential};
use crate::ports::{MAX_MESSAGE_BYTES, Ports, Queue, Write};
use crate::provisioning::access::Access;
use crate::provisioning::channel::ChannelType;
use crate::provisioning::custom_topic::CustomTopic;
use crate::provisioning::namespace::{NamespaceKeys, PartnerNamespace, RoutingMode};
use crate::provisioning::topic::{ActivationState, PartnerTopic};
use crate::table;

/// How long a cached namespace or route may be used at most.
pub const CACHE_TTL: Duration = Duration::seconds(5);
/// Bytes of one stored chunk of an event too large for a queue message.
const PAYLOAD_CHUNK: usize = 300 * 1024;
/// How long a stored payload outlives its publish (the fan-out reads it well before).
pub(crate) const PAYLOAD_TTL: Duration = Duration::days(2);

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

/// Where events of one channel (or source) go, and whether they may.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicRoute {
    pub topic: ResourceId,
    pub activated: bool,
}

/// The publish path's caches, shared by every request of a process.
pub struct IngestCache {
    namespaces: GenerationCache<String, Arc<PartnerNamespace>>,
    topics: GenerationCache<String, Arc<CustomTopic>>,
    routes: GenerationCache<(String, String), TopicRoute>,
}

impl Default for IngestCache {
    fn default() -> Self {
        Self {
            namespaces: GenerationCache::new(CACHE_TTL, 10_000),
            topics: GenerationCache::new(CACHE_TTL, 10_000),
            routes: GenerationCache::new(CACHE_TTL, 100_000),
        }
    }
}

/// A publish endpoint's resource as one publish sees it, and the generation it was read under.
#[derive(Debug, Clone)]
pub struct Authenticated<T> {
    pub resource: Arc<T>,
    pub generation: u64,
}

/// Who publishes: the key or SAS token presented, and the address the request came from
/// (when the host knows it).
#[derive(Debug, Clone)]
pub struct Publisher {
    pub credential: Credential,
    pub address: Option<IpAddr>,
}

/// Finds the namespace a publisher addressed, checks that its network settings admit the
/// publisher's address, and checks its key or SAS token against the namespace's keys (either
/// works). `endpoint` is the URL the publisher addressed.
pub async fn authenticate(
    ports: &Ports,
    cache: &IngestCache,
    namespace_name: &str,
    endpoint: &str,
    publisher: &Publisher,
) -> Result<Authenticated<PartnerNamespace>> {
    let (found, generation) = cached_by_name(
        ports,
        &cache.namespaces,
        Endpoint::Namespace(namespace_name.to_owned()),
        namespace_name,
        "partner namespace",
        code::NAMESPACE_NOT_FOUND,
        |ports, name| async move { namespaces::by_name(ports, &name).await },
    )
    .await?;
    check_publisher(ports, &found.access, &found.keys, endpoint, publisher)?;
    Ok(Authenticated {
        resource: found,
        generation,
    })
}

/// The same for a customer topic.
pub async fn authenticate_topic(
    ports: &Ports,
    cache: &IngestCache,
    topic_name: &str,
    endpoint: &str,
    publisher: &Publisher,
) -> Result<Authenticated<CustomTopic>> {
    let (found, generation) = cached_by_name(
        ports,
        &cache.topics,
        Endpoint::Topic(topic_name.to_owned()),
        topic_name,
        "topic",
        code::TOPIC_NOT_FOUND,
        |ports, name| async move { custom_topics::by_name(ports, &name).await },
    )
    .await?;
    check_publisher(ports, &found.access, &found.keys, endpoint, publisher)?;
    Ok(Authenticated {
        resource: found,
        generation,
    })
}

/// Checks the publisher's address against the endpoint's network settings, then its key or SAS
/// token against the endpoint's two keys, unless keys are disabled.
fn check_publisher(
    ports: &Ports,
    access: &Access,
    keys: &NamespaceKeys,
    endpoint: &str,
    publisher: &Publisher,
) -> Result<()> {
    access.admits(publisher.address)?;
    if access.disable_local_auth {
        return Err(Error::unauthorized(
            code::LOCAL_AUTH_DISABLED,
            "this endpoint has disableLocalAuth set, so keys and SAS tokens are refused",
        ));
    }
    let keys = [keys.key1.as_str(), keys.key2.as_str()];
    match &publisher.credential {
        Credential::Key(key) => sas::verify_key(key, &keys),
        Credential::Token(raw) => {
            sas::verify_token(&sas::parse_token(raw)?, endpoint, &keys, ports.clock.now())
        }
    }
}

/// Accepts every event of a customer topic, or none; `Ok` (how many) once all are durably
/// enqueued.
pub async fn publish_to_topic(
    ports: &Ports,
    queue: &dyn Queue,
    topic: &Authenticated<CustomTopic>,
    events: Vec<Event>,
) -> Result<usize> {
    let count = events.len();
    let published_at = crate::time_format::rfc3339(ports.clock.now());
    let bodies = pack(
        ports,
        &topic.resource.id,
        &published_at,
        topic.generation,
        events,
    )
    .await?;
    queue.send(bodies, std::time::Duration::ZERO).await?;
    Ok(count)
}

/// Accepts every event, or none: routes each to its partner topic (by `channel`, the
/// `aeg-channel-name` header, or by the event's source), refuses topics that are not
/// activated, and returns `Ok` only once all are durably enqueued. Returns how many.
pub async fn publish(
    ports: &Ports,
    queue: &dyn Queue,
    cache: &IngestCache,
    namespace: &Authenticated<PartnerNamespace>,
    channel: Option<&str>,
    events: Vec<Event>,
) -> Result<usize> {
    let generation = namespace.generation;
    let namespace = namespace.resource.as_ref();
    let mut routed: Vec<(TopicRoute, Vec<Event>)> = Vec::new();
    for event in events {
        let key = match namespace.partner_topic_routing_mode {
            RoutingMode::ChannelNameHeader => channel.map(str::to_owned).ok_or_else(|| {
                Error::invalid(
                    code::CHANNEL_NAME_REQUIRED,
                    "this namespace routes by channel: send the aeg-channel-name header",
                )
            })?,
            RoutingMode::SourceEventAttribute => event.source.clone(),
        };
        let route = route(ports, cache, generation, namespace, &key).await?;
        if !route.activated {
            return Err(Error::forbidden(
                code::TOPIC_NOT_ACTIVATED,
                format!(
                    "partner topic '{}' is not activated; the customer activates it with POST .../partnerTopics/{}/activate. Nothing was stored",
                    route.topic,
                    route.topic.name()
                ),
            ));
        }
        match routed.iter_mut().find(|(r, _)| r.topic == route.topic) {
            Some((_, events)) => events.push(event),
            None => routed.push((route, vec![event])),
        }
    }
    let published_at = crate::time_format::rfc3339(ports.clock.now());
    let mut bodies = Vec::new();
    let mut count = 0;
    for (route, events) in routed {
        count += events.len();
        bodies.extend(pack(ports, &route.topic, &published_at, generation, events).await?);
    }
    queue.send(bodies, std::time::Duration::ZERO).await?;
    Ok(count)
}

/// A publish endpoint's resource by its name, from `cache` or the store, and the endpoint's
/// current generation; 404 naming `what` (a name that cannot exist reads nothing).
async fn cached_by_name<'p, T, F, Fut>(
    ports: &'p Ports,
    cache: &GenerationCache<String, Arc<T>>,
    endpoint: Endpoint,
    name: &str,
    what: &str,
    not_found_code: &'static str,
    load: F,
) -> Result<(Arc<T>, u64)>
where
    F: FnOnce(&'p Ports, String) -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>>>,
{
    let missing = || {
        Error::not_found(
            not_found_code,
            format!("no {what} is named '{name}'; check the endpoint URL"),
        )
    };
    if crate::ids::check_resource_name(what, name).is_err() {
        return Err(missing());
    }
    let generation = endpoint.current(ports).await?;
    let now = ports.clock.now();
    let key = name.to_lowercase();
    if let Some(found) = cache.get(&key, now, generation) {
        return Ok((found, generation));
    }
    let found = load(ports, name.to_owned())
        .await?
        .map(Arc::new)
        .ok_or_else(missing)?;
    cache.put(key, found.clone(), now, generation);
    Ok((found, generation))
}

async fn route(
    ports: &Ports,
    cache: &IngestCache,
    generation: u64,
    namespace: &PartnerNamespace,
    key: &str,
) -> Result<TopicRoute> {
    let now = ports.clock.now();
    let cache_key = (namespace.id.name().to_lowercase(), key.to_owned());
    if let Some(found) = cache.routes.get(&cache_key, now, generation) {
        return Ok(found);
    }
    let by_channel = namespace.partner_topic_routing_mode == RoutingMode::ChannelNameHeader;
    let missing = || {
        if by_channel {
            Error::invalid(
                code::CHANNEL_NOT_FOUND,
                format!(
                    "namespace '{}' has no channel named '{key}' (aeg-channel-name)",
                    namespace.id.name()
                ),
            )
        } else {
            Error::invalid(
                code::NO_CHANNEL_FOR_SOURCE,
                format!(
                    "namespace '{}' has no channel whose partnerTopicInfo.source is '{key}'",
                    namespace.id.name()
                ),
            )
        }
    };
    let channel_id = if by_channel {
        namespace
            .id
            .child(ResourceType::Channels, key)
            .map_err(|_| missing())?
    } else if key.len() > crate::provisioning::channel::MAX_SOURCE_LEN {
        return Err(missing());
    } else {
        let entry = table::get::<ChannelRef>(
            ports.store.as_ref(),
            &table::channel_source(namespace.id.name(), key),
        )
        .await?;
        entry.ok_or_else(missing)?.value.channel
    };
    let (channel, topic) = pairs::read_pair(ports, &channel_id).await?;
    let (Some(channel), Some(topic)) = (channel, topic) else {
        return Err(missing());
    };
    if channel.value.is_expired(now) || channel.value.channel_type != ChannelType::PartnerTopic {
        return Err(missing());
    }
    let route = route_of(&topic.value);
    cache.routes.put(cache_key, route.clone(), now, generation);
    Ok(route)
}

fn route_of(topic: &PartnerTopic) -> TopicRoute {
    TopicRoute {
        topic: topic.id.clone(),
        activated: topic.activation_state == ActivationState::Activated,
    }
}

/// Queue messages for `events` of one topic: as many events per message as fit; an event too
/// large for a message is stored in the table in chunks and the message names it.
async fn pack(
    ports: &Ports,
    topic: &ResourceId,
    published_at: &str,
    generation: u64,
    events: Vec<Event>,
) -> Result<Vec<String>> {
    let head = format!(
        "{{\"topic\":{},\"publishedAt\":\"{published_at}\",\"generation\":{generation},",
        serde_json::to_string(&topic.to_string()).map_err(|e| Error::internal(e.to_string()))?
    );
    let room = MAX_MESSAGE_BYTES - head.len() - 64;
    let mut bodies = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut size = 0;
    let id = || uuid::Uuid::new_v4().simple();
    let finish = |current: &mut Vec<&str>| {
        format!(
            "{head}\"id\":\"{}\",\"events\":[{}]}}",
            id(),
            std::mem::take(current).join(",")
        )
    };
    for event in &events {
        let len = event.json.len() + 1;
        if len > room {
            bodies.push(format!(
                "{head}\"id\":\"{}\",\"payload\":\"{}\"}}",
                id(),
                store_payload(ports, &event.json, PAYLOAD_TTL).await?
            ));
            continue;
        }
        if size + len > room {
            bodies.push(finish(&mut current));
            size = 0;
        }
        current.push(&event.json);
        size += len;
    }
    if !current.is_empty() {
        bodies.push(finish(&mut current));
    }
    Ok(bodies)
}

/// Stores a large event in chunks under a new payload id, kept for `ttl`; the fan-out
/// reassembles it.
pub(crate) async fn store_payload(ports: &Ports, json: &str, ttl: Duration) -> Result<String> {
    let id = uuid::Uuid::new_v4().to_string();
    let expires = Some((ports.clock.now() + ttl).unix_timestamp());
    let mut writes = Vec::new();
    let mut rest = json;
    while !rest.is_empty() {
        let mut cut = rest.len().min(PAYLOAD_CHUNK);
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let (chunk, tail) = rest.split_at(cut);
        writes.push(Write::Put {
            key: table::payload_chunk(&id, writes.len()),
            body: chunk.to_owned(),
            expires_at: expires,
            expect: crate::ports::Expect::Absent,
        });
        rest = tail;
    }
    ports.store.write(writes).await?;
    Ok(id)
}

/// Reassembles a stored payload; a payload that is gone (expired) is `NotFound`.
pub async fn load_payload(ports: &Ports, id: &str) -> Result<String> {
    let page = ports
        .store
        .query(&table::payload_partition(id), "", None, 100)
        .await?;
    if page.items.is_empty() {
        return Err(Error::not_found(
            "PayloadNotFound",
            format!("stored event payload '{id}' is gone"),
        ));
    }
    Ok(page.items.into_iter().map(|i| i.body).collect())
}
