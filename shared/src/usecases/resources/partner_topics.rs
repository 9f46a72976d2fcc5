//! Partner topics and partner destinations, the customer's side: read, list, tag, activate,
//! deactivate, delete. The id's kind tells which.

use crate::auth::Caller;
use crate::error::Result;
use crate::ids::{ResourceId, ResourceType};
use crate::ports::{Expect, Ports, Write};
use crate::provisioning::channel::{Channel, ReadinessState};
use crate::provisioning::topic::{Activation, ActivationState, PartnerTopic, transition};
use crate::resource::{Body, check_tags};
use crate::table::{self, Versioned};
use crate::usecases::resources::pairs;
use crate::usecases::support::generations::Endpoint;
use crate::usecases::support::listing::{Listed, PageRequest, Scope, list_resources};
use crate::usecases::support::platform_events::{self, Lifecycle};
use crate::usecases::support::{cascade, not_found};

/// A live partner topic of the caller's: present and not expired unactivated; otherwise 404.
async fn read_live(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
) -> Result<Versioned<PartnerTopic>> {
    caller.owns(id.subscription)?;
    table::get::<PartnerTopic>(ports.store.as_ref(), &table::resource_key(id))
        .await?
        .filter(|t| !t.value.is_expired(ports.clock.now()))
        .ok_or_else(|| not_found(what(id.kind()), id))
}

fn what(kind: ResourceType) -> &'static str {
    match kind {
        ResourceType::PartnerDestinations => "partner destination",
        _ => "partner topic",
    }
}

pub async fn get(ports: &Ports, caller: &Caller, id: &ResourceId) -> Result<PartnerTopic> {
    Ok(read_live(ports, caller, id).await?.value)
}

/// The caller's live partner topics (or destinations: `kind`) in a subscription or one of its
/// resource groups.
pub async fn list(
    ports: &Ports,
    caller: &Caller,
    scope: &Scope,
    kind: ResourceType,
    page: &PageRequest,
) -> Result<Listed<PartnerTopic>> {
    let mut listed: Listed<PartnerTopic> = list_resources(ports, caller, scope, kind, page).await?;
    let now = ports.clock.now();
    listed.items.retain(|t| !t.is_expired(now));
    Ok(listed)
}

/// Replaces the tags (the only patchable part of a partner topic).
pub async fn patch(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
    body: Body<serde_json::Value>,
) -> Result<PartnerTopic> {
    let current = read_live(ports, caller, id).await?;
    let mut topic = current.value.clone();
    if let Some(tags) = body.tags {
        check_tags(&tags)?;
        topic.tags = tags;
    }
    let expires = (topic.activation_state == ActivationState::NeverActivated)
        .then(|| pairs::ttl(topic.expiration_time_if_not_activated_utc))
        .flatten();
    ports
        .store
        .write(vec![table::put_with_ttl(
            table::resource_key(id),
            &topic,
            current.expect(),
            expires,
        )?])
        .await?;
    Ok(topic)
}

/// Activates or deactivates; both are idempotent. Activation also marks the channel
/// `Activated` and ends the activation deadline, in the same atomic write.
pub async fn set_activation(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
    action: Activation,
) -> Result<PartnerTopic> {
    let current = read_live(ports, caller, id).await?;
    let state = transition(current.value.activation_state, action)?;
    if state == current.value.activation_state {
        return Ok(current.value);
    }
    let topic = PartnerTopic {
        activation_state: state,
        ..current.value.clone()
    };
    let mut writes = vec![
        table::put_with_ttl(table::resource_key(id), &topic, current.expect(), None)?,
        Endpoint::of_channel(&topic.channel).bump(),
    ];
    let channel =
        table::get::<Channel>(ports.store.as_ref(), &table::resource_key(&topic.channel)).await?;
    if let Some(channel) =
        channel.filter(|c| c.value.readiness_state == ReadinessState::NeverActivated)
    {
        let activated = Channel {
            readiness_state: ReadinessState::Activated,
            ..channel.value.clone()
        };
        writes.push(table::put_with_ttl(
            table::resource_key(&activated.id),
            &activated,
            channel.expect(),
            None,
        )?);
        writes.push(Write::Delete {
            key: table::activation_deadline(
                channel.value.expiration_time_if_not_activated_utc,
                &activated.id,
            ),
            expect: Expect::Any,
        });
    }
    let what = match state {
        ActivationState::Deactivated => Lifecycle::Deactivated,
        _ => Lifecycle::Activated,
    };
    writes.push(platform_events::record(
        ports,
        &platform_events::lifecycle(&topic, what, ports.clock.now())?,
    )?);
    ports.store.write(writes).await?;
    tracing::info!(resource = %id, state = ?state, "activation changed");
    Ok(topic)
}

/// Deletes the topic and its channel. Missing is success.
pub async fn delete(ports: &Ports, caller: &Caller, id: &ResourceId) -> Result<()> {
    caller.owns(id.subscription)?;
    let Some(topic) =
        table::get::<PartnerTopic>(ports.store.as_ref(), &table::resource_key(id)).await?
    else {
        return Ok(());
    };
    let (channel, _) = pairs::read_pair(ports, &topic.value.channel).await?;
    let mut writes = match channel {
        Some(channel) => pairs::delete_writes(ports, &channel, Some(&topic)).await?,
        None => vec![
            Write::Delete {
                key: table::resource_key(id),
                expect: topic.expect(),
            },
            Endpoint::of_channel(&topic.value.channel).bump(),
        ],
    };
    let now = ports.clock.now();
    let what = if topic.value.is_expired(now) {
        Lifecycle::Expired
    } else {
        Lifecycle::Deleted
    };
    writes.push(platform_events::record(
        ports,
        &platform_events::lifecycle(&topic.value, what, now)?,
    )?);
    ports.store.write(writes).await?;
    cascade::subscriptions_of(ports, id).await
}
