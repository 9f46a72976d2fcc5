//! Channels: creating one creates its partner topic (`PartnerTopic`) or partner destination
//! (`PartnerDestination`) in the customer's resource group, atomically and only under an
//! unexpired authorization.

use crate::auth::Caller;
use crate::error::{Error, Result, code};
use crate::ids::{ResourceId, ResourceType};
use crate::ports::{Expect, Ports, Write};
use crate::provisioning::activation_deadline;
use crate::provisioning::channel::{
    Channel, ChannelInput, ChannelPatch, ChannelType, ReadinessState, check_replacement,
};
use crate::provisioning::namespace::{PartnerNamespace, RoutingMode};
use crate::provisioning::topic::{ActivationState, PartnerTopic};
use crate::resource::Body;
use crate::subscriptions::SigningSecrets;
use crate::table::{self, Versioned};
use crate::usecases::resources::endpoints;
use crate::usecases::resources::pairs::{self, ChannelRef, require_authorization, ttl};
use crate::usecases::support::generations::Endpoint;
use crate::usecases::support::listing::{Listed, PageRequest, list_prefix};
use crate::usecases::support::platform_events::{self, Lifecycle};
use crate::usecases::support::{cascade, not_found};

/// Creates (true) or replaces (false) a channel. A new channel creates its partner topic
/// (`NeverActivated`) in the same atomic write; a replacement may change only what a PATCH may.
pub async fn put(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
    body: Body<ChannelInput>,
) -> Result<(Channel, bool)> {
    let namespace_read = namespace_of(ports, caller, id).await?;
    let namespace_guard = Write::Check {
        key: table::resource_key(&namespace_read.value.id),
        expect: namespace_read.expect(),
    };
    let namespace = namespace_read.value;
    let input = body.properties.unwrap_or_default();
    let channel_type = input.channel_type.unwrap_or(ChannelType::PartnerTopic);
    let required = |field: &str, kind: &str| {
        Error::invalid(
            code::INVALID_PROPERTY,
            format!("properties.{field} is required for channelType '{kind}'"),
        )
    };
    let info = match channel_type {
        ChannelType::PartnerTopic => input
            .partner_topic_info
            .clone()
            .ok_or_else(|| required("partnerTopicInfo", "PartnerTopic"))?
            .validate(namespace.partner_topic_routing_mode == RoutingMode::SourceEventAttribute)?,
        ChannelType::PartnerDestination => input
            .partner_destination_info
            .clone()
            .ok_or_else(|| required("partnerDestinationInfo", "PartnerDestination"))?
            .validate()?,
    };
    let now = ports.clock.now();
    let (existing, _) = pairs::read_pair(ports, id).await?;
    if let Some(current) = existing.as_ref().filter(|c| !c.value.is_expired(now)) {
        check_replacement(&current.value, &info, &input.message_for_activation)?;
        let patch = ChannelPatch {
            expiration_time_if_not_activated_utc: input.expiration_time_if_not_activated_utc,
            partner_topic_info: Some(crate::provisioning::channel::PartnerTopicInfoPatch {
                event_type_info: info.event_type_info,
            }),
        };
        return Ok((update(ports, &namespace, id, patch).await?, false));
    }
    if existing.is_some() {
        pairs::purge(ports, id, Lifecycle::Expired).await?;
    }
    let topic_id = info.topic_id()?;
    pairs::clear_expired_topic(ports, &topic_id).await?;
    if ports
        .store
        .get(&table::resource_key(&topic_id))
        .await?
        .is_none()
    {
        cascade::subscriptions_of(ports, &topic_id).await?;
    }
    let deadline = activation_deadline(input.expiration_time_if_not_activated_utc, now)?;
    let authorization = require_authorization(
        ports,
        &topic_id,
        namespace.partner_registration_immutable_id,
    )
    .await?;
    let channel = Channel {
        id: id.clone(),
        channel_type,
        partner_topic_info: info.clone(),
        message_for_activation: input.message_for_activation.clone(),
        expiration_time_if_not_activated_utc: deadline,
        readiness_state: ReadinessState::NeverActivated,
    };
    let source_entry = pairs::source_key(&channel)
        .filter(|_| namespace.partner_topic_routing_mode == RoutingMode::SourceEventAttribute);
    if let Some(key) = &source_entry {
        pairs::clear_expired_source(ports, key).await?;
    }
    let topic = PartnerTopic {
        id: topic_id.clone(),
        location: "global".into(),
        tags: Default::default(),
        channel: id.clone(),
        partner_registration_immutable_id: namespace.partner_registration_immutable_id,
        source: info.source.clone(),
        event_type_info: info.event_type_info.clone(),
        expiration_time_if_not_activated_utc: deadline,
        message_for_activation: input.message_for_activation,
        partner_topic_friendly_description: input.partner_topic_friendly_description,
        activation_state: ActivationState::NeverActivated,
        destination: info.destination.clone(),
        signing: match info.destination {
            Some(_) => Some(SigningSecrets::generate()?),
            None => None,
        },
    };
    let mut writes = vec![
        table::put_with_ttl(
            table::resource_key(id),
            &channel,
            Expect::Absent,
            ttl(deadline),
        )?,
        table::put_with_ttl(
            table::resource_key(&topic_id),
            &topic,
            Expect::Absent,
            ttl(deadline),
        )?,
        table::put(
            table::activation_deadline(deadline, id),
            &ChannelRef {
                channel: id.clone(),
            },
            Expect::Absent,
        )?,
    ];
    if let Some(key) = source_entry.clone() {
        writes.push(table::put(
            key,
            &ChannelRef {
                channel: id.clone(),
            },
            Expect::Absent,
        )?);
    }
    writes.push(namespace_guard);
    writes.push(Endpoint::of_channel(id).bump());
    writes.push(platform_events::record(
        ports,
        &platform_events::lifecycle(&topic, Lifecycle::Provisioned, now)?,
    )?);
    if let Some((key, version)) = authorization {
        writes.push(Write::Check {
            key,
            expect: Expect::Version(version),
        });
    }
    match ports.store.write(writes).await {
        Ok(()) => {
            tracing::info!(channel = %id, target = %topic_id, "channel and its partner topic or destination created");
            Ok((channel, true))
        }
        Err(e) if e.is_conflict() => {
            Err(explain_conflict(ports, source_entry.as_ref(), &topic_id).await?)
        }
        Err(e) => Err(e),
    }
}

async fn explain_conflict(
    ports: &Ports,
    source_entry: Option<&crate::ports::Key>,
    topic_id: &ResourceId,
) -> Result<Error> {
    let store = ports.store.as_ref();
    if store.get(&table::resource_key(topic_id)).await?.is_some() {
        return Ok(Error::conflict(
            code::PARTNER_TOPIC_EXISTS,
            format!(
                "a partner topic named '{}' already exists in resource group '{}'; choose another partnerTopicInfo.name",
                topic_id.name(),
                topic_id.resource_group
            ),
        ));
    }
    if let Some(key) = source_entry
        && store.get(key).await?.is_some()
    {
        return Ok(Error::conflict(
            code::SOURCE_IN_USE,
            format!(
                "another channel of this namespace already routes source '{}'; each source routes to one channel",
                key.sort
            ),
        ));
    }
    Ok(Error::conflict(
        code::CONCURRENT_UPDATE,
        "the channel, or the customer's authorization, changed meanwhile; retry",
    ))
}

async fn namespace_of(
    ports: &Ports,
    caller: &Caller,
    channel: &ResourceId,
) -> Result<Versioned<PartnerNamespace>> {
    let (kind, name) = channel
        .path
        .first()
        .cloned()
        .ok_or_else(|| Error::internal("channel id without a namespace"))?;
    let namespace_id = ResourceId::new(channel.subscription, &channel.resource_group, kind, &name)?;
    endpoints::read::<PartnerNamespace>(ports, caller, &namespace_id).await
}

/// A live (not expired) channel of the caller's; otherwise 404.
async fn read_live(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
) -> Result<(Versioned<Channel>, Option<Versioned<PartnerTopic>>)> {
    caller.owns(id.subscription)?;
    match pairs::read_pair(ports, id).await? {
        (Some(channel), topic) if !channel.value.is_expired(ports.clock.now()) => {
            Ok((channel, topic))
        }
        _ => Err(not_found("channel", id)),
    }
}

pub async fn get(ports: &Ports, caller: &Caller, id: &ResourceId) -> Result<Channel> {
    Ok(read_live(ports, caller, id).await?.0.value)
}

/// Changes the activation deadline and/or the event types, on the channel and its topic at
/// once. Needs an unexpired authorization.
pub async fn patch(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
    body: Body<ChannelPatch>,
) -> Result<Channel> {
    let namespace = namespace_of(ports, caller, id).await?.value;
    update(ports, &namespace, id, body.properties.unwrap_or_default()).await
}

async fn update(
    ports: &Ports,
    namespace: &PartnerNamespace,
    id: &ResourceId,
    patch: ChannelPatch,
) -> Result<Channel> {
    let now = ports.clock.now();
    let (current, topic) = match pairs::read_pair(ports, id).await? {
        (Some(c), t) if !c.value.is_expired(now) => (c, t),
        _ => return Err(not_found("channel", id)),
    };
    let topic_id = current.value.partner_topic_info.topic_id()?;
    let authorization = require_authorization(
        ports,
        &topic_id,
        namespace.partner_registration_immutable_id,
    )
    .await?;
    let mut channel = current.value.clone();
    let old_deadline = channel.expiration_time_if_not_activated_utc;
    if let Some(requested) = patch.expiration_time_if_not_activated_utc {
        channel.expiration_time_if_not_activated_utc = activation_deadline(Some(requested), now)?;
    }
    if let Some(types) = patch.partner_topic_info.and_then(|p| p.event_type_info) {
        types.check()?;
        channel.partner_topic_info.event_type_info = Some(types);
    }
    let pending = channel.readiness_state == ReadinessState::NeverActivated;
    let deadline = channel.expiration_time_if_not_activated_utc;
    let expires = if pending { ttl(deadline) } else { None };
    let mut writes = vec![
        table::put_with_ttl(table::resource_key(id), &channel, current.expect(), expires)?,
        Endpoint::of_channel(id).bump(),
    ];
    if let Some(topic) = &topic {
        let mut t = topic.value.clone();
        t.expiration_time_if_not_activated_utc = deadline;
        t.event_type_info = channel.partner_topic_info.event_type_info.clone();
        let expires = if t.activation_state == ActivationState::NeverActivated {
            ttl(deadline)
        } else {
            None
        };
        writes.push(table::put_with_ttl(
            table::resource_key(&t.id),
            &t,
            topic.expect(),
            expires,
        )?);
    }
    if pending && deadline != old_deadline {
        writes.push(Write::Delete {
            key: table::activation_deadline(old_deadline, id),
            expect: Expect::Any,
        });
        writes.push(table::put(
            table::activation_deadline(deadline, id),
            &ChannelRef {
                channel: id.clone(),
            },
            Expect::Any,
        )?);
    }
    if let Some((key, version)) = authorization {
        writes.push(Write::Check {
            key,
            expect: Expect::Version(version),
        });
    }
    ports.store.write(writes).await?;
    Ok(channel)
}

/// Deletes the channel and its partner topic. Needs an unexpired authorization unless the
/// pair has already expired. Missing is success.
pub async fn delete(ports: &Ports, caller: &Caller, id: &ResourceId) -> Result<()> {
    let namespace = namespace_of(ports, caller, id).await?.value;
    let (channel, topic) = pairs::read_pair(ports, id).await?;
    let Some(channel) = channel else {
        return Ok(());
    };
    let mut writes = pairs::delete_writes(ports, &channel, topic.as_ref()).await?;
    if let Some(topic) = &topic {
        let event =
            platform_events::lifecycle(&topic.value, Lifecycle::Deleted, ports.clock.now())?;
        writes.push(platform_events::record(ports, &event)?);
    }
    if !channel.value.is_expired(ports.clock.now()) {
        let topic_id = channel.value.partner_topic_info.topic_id()?;
        if let Some((key, version)) = require_authorization(
            ports,
            &topic_id,
            namespace.partner_registration_immutable_id,
        )
        .await?
        {
            writes.push(Write::Check {
                key,
                expect: Expect::Version(version),
            });
        }
    }
    ports.store.write(writes).await?;
    if let Some(topic) = &topic {
        cascade::subscriptions_of(ports, &topic.value.id).await?;
    }
    Ok(())
}

/// The namespace's live channels.
pub async fn list(
    ports: &Ports,
    caller: &Caller,
    namespace: &ResourceId,
    page: &PageRequest,
) -> Result<Listed<Channel>> {
    endpoints::read::<PartnerNamespace>(ports, caller, namespace).await?;
    let prefix = table::children_prefix(namespace, ResourceType::Channels);
    let mut listed: Listed<Channel> = list_prefix(
        ports.store.as_ref(),
        &table::subscription_partition(namespace.subscription),
        &prefix,
        page,
    )
    .await?;
    let now = ports.clock.now();
    listed.items.retain(|c| !c.is_expired(now));
    Ok(listed)
}

/// The partner's endpoint URL of a `PartnerDestination` channel (`getFullUrl`).
pub async fn full_url(ports: &Ports, caller: &Caller, id: &ResourceId) -> Result<String> {
    let channel = read_live(ports, caller, id).await?.0.value;
    channel
        .partner_topic_info
        .destination
        .map(|d| d.endpoint_url)
        .ok_or_else(|| {
            Error::invalid(
                code::INVALID_PROPERTY,
                "getFullUrl is for channels of type 'PartnerDestination'; this one is a 'PartnerTopic' channel",
            )
        })
}
