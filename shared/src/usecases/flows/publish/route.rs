//! Routing a namespace's events: each to the partner topic of its channel, named by the
//! `aeg-channel-name` header or found by the event's source, as the namespace's routing mode
//! says; routes are cached under the namespace's generation.

use super::{Ingest, code};
use crate::error::{Error, Result};
use crate::ids::{ResourceId, ResourceType};
use crate::ingest::cloudevents::Event;
use crate::provisioning::channel::ChannelType;
use crate::provisioning::namespace::{PartnerNamespace, RoutingMode};
use crate::provisioning::topic::{ActivationState, PartnerTopic};
use crate::table;
use crate::usecases::resources::pairs::{self, ChannelRef};

/// Where events of one channel (or source) go, and whether they may.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicRoute {
    pub topic: ResourceId,
    pub activated: bool,
}

/// `events` grouped by the partner topic each goes to, in first-seen order; fails, storing
/// nothing, if any cannot be routed or its topic is not activated.
pub(super) async fn by_topic(
    ingest: &Ingest,
    generation: u64,
    namespace: &PartnerNamespace,
    channel: Option<&str>,
    events: Vec<Event>,
) -> Result<Vec<(ResourceId, Vec<Event>)>> {
    let mut routed: Vec<(ResourceId, Vec<Event>)> = Vec::new();
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
        let route = route(ingest, generation, namespace, &key).await?;
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
        match routed.iter_mut().find(|(topic, _)| *topic == route.topic) {
            Some((_, events)) => events.push(event),
            None => routed.push((route.topic, vec![event])),
        }
    }
    Ok(routed)
}

async fn route(
    ingest: &Ingest,
    generation: u64,
    namespace: &PartnerNamespace,
    key: &str,
) -> Result<TopicRoute> {
    let ports = &ingest.ports;
    let now = ports.clock.now();
    let cache_key = (namespace.id.name().to_lowercase(), key.to_owned());
    if let Some(found) = ingest.routes.get(&cache_key, now, generation) {
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
    ingest.routes.put(cache_key, route.clone(), now, generation);
    Ok(route)
}

fn route_of(topic: &PartnerTopic) -> TopicRoute {
    TopicRoute {
        topic: topic.id.clone(),
        activated: topic.activation_state == ActivationState::Activated,
    }
}
