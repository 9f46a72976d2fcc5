//! Channels: creating one creates its partner topic (`PartnerTopic`) or partner destination
//! (`PartnerDestination`) in the customer's resource group, atomically and only under an
//! unexpired authorization.

use crate::auth::Caller;
use crate::error::{Error, Result, code};
use crate::ids::{ResourceId, ResourceType};
use crate::ports::{Expect, Key, Ports, Write};
use crate::provisioning::activation_deadline;
use crate::provisioning::channel::{Channel, ChannelInput, ChannelPatch, ReadinessState};
use crate::provisioning::channel_put::{ChannelPut, ChannelRequest, NewChannel};
use crate::provisioning::namespace::PartnerNamespace;
use crate::provisioning::topic::{ActivationState, PartnerTopic};
use crate::resource::Body;
use crate::subscriptions::SigningSecrets;
use crate::table::{self, Versioned};
use crate::usecases::resources::configurations::authorization_of;
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
    let namespace = namespace_of(ports, caller, id).await?;
    let routing = namespace.value.partner_topic_routing_mode;
    let request = ChannelRequest::new(body.properties.unwrap_or_default(), routing)?;
    let now = ports.clock.now();
    let (stored, _) = pairs::read_pair(ports, id).await?;
    if let ChannelPut::Replace(patch) = request.against(stored.as_ref().map(|c| &c.value), now)? {
        return Ok((update(ports, &namespace.value, id, patch).await?, false));
    }
    let authorization = authorization_of(ports, &request.topic_id()?).await?;
    let configuration = authorization.as_ref().map(|(_, _, config)| config);
    let signing = match request.is_destination() {
        true => Some(SigningSecrets::generate()?),
        false => None,
    };
    let new = request.create(id, &namespace.value, configuration, signing, now)?;
    let source_entry = pairs::source_key(&new.channel).filter(|_| new.routes_by_source);
    free_names(ports, stored.is_some(), &new, source_entry.as_ref()).await?;
    let namespace_guard = Write::Check {
        key: table::resource_key(&namespace.value.id),
        expect: namespace.expect(),
    };
    let mut writes = creation_writes(ports, &new, source_entry.clone(), namespace_guard, now)?;
    if let Some((key, version, _)) = authorization {
        writes.push(Write::Check {
            key,
            expect: Expect::Version(version),
        });
    }
    let topic_id = &new.topic.id;
    match ports.store.write(writes).await {
        Ok(()) => {
            tracing::info!(channel = %id, target = %topic_id, "channel and its partner topic or destination created");
            Ok((new.channel, true))
        }
        Err(e) if e.is_conflict() => {
            Err(explain_conflict(ports, source_entry.as_ref(), topic_id).await?)
        }
        Err(e) => Err(e),
    }
}

/// Frees the names a new channel takes: purges the expired channel stored at its id, the
/// expired pair of its topic's name and the subscriptions left of a topic gone by that name,
/// and the source entry of an expired or gone channel.
async fn free_names(
    ports: &Ports,
    expired: bool,
    new: &NewChannel,
    source_entry: Option<&Key>,
) -> Result<()> {
    if expired {
        pairs::purge(ports, &new.channel.id, Lifecycle::Expired).await?;
    }
    let topic_id = &new.topic.id;
    pairs::clear_expired_topic(ports, topic_id).await?;
    if ports
        .store
        .get(&table::resource_key(topic_id))
        .await?
        .is_none()
    {
        cascade::subscriptions_of(ports, topic_id).await?;
    }
    if let Some(key) = source_entry {
        pairs::clear_expired_source(ports, key).await?;
    }
    Ok(())
}

/// The writes that create `new`: the channel, its topic, its activation deadline entry and
/// source entry, the check that its namespace is unchanged, the namespace's generation bump
/// and the `Provisioned` platform event.
fn creation_writes(
    ports: &Ports,
    new: &NewChannel,
    source_entry: Option<Key>,
    namespace_guard: Write,
    now: time::OffsetDateTime,
) -> Result<Vec<Write>> {
    let (channel, topic) = (&new.channel, &new.topic);
    let id = &channel.id;
    let deadline = channel.expiration_time_if_not_activated_utc;
    let reference = ChannelRef {
        channel: id.clone(),
    };
    let mut writes = vec![
        table::put_with_ttl(
            table::resource_key(id),
            channel,
            Expect::Absent,
            ttl(deadline),
        )?,
        table::put_with_ttl(
            table::resource_key(&topic.id),
            topic,
            Expect::Absent,
            ttl(deadline),
        )?,
        table::put(
            table::activation_deadline(deadline, id),
            &reference,
            Expect::Absent,
        )?,
    ];
    if let Some(key) = source_entry {
        writes.push(table::put(key, &reference, Expect::Absent)?);
    }
    writes.push(namespace_guard);
    writes.push(Endpoint::of_channel(id).bump());
    let event = platform_events::lifecycle(topic, Lifecycle::Provisioned, now)?;
    writes.push(platform_events::record(ports, &event)?);
    Ok(writes)
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
