//! Event subscriptions on partner topics, customer topics and system topics: create or replace
//! (validating a WebHook endpoint with the CloudEvents handshake when it is new or its URL
//! changes, or a partner destination), patch, read, list, delete, the two reads that show
//! secrets, and the signing secrets ([`signing`]); pausing ([`pause`]) and disabling
//! ([`disable`]) deliveries.

use crate::auth::Caller;
use crate::error::{Error, Result, code as common};
use crate::ids::{ResourceId, ResourceType};
use crate::ports::{Destinations, Expect, Handshake, Ports, Webhooks, Write};
use crate::resource::Body;
use crate::subscriptions::{
    self, DeliveryAttributeMapping, Destination, EventSubscription, SubscriptionInput,
    SubscriptionPatch, code,
};
use crate::table::{self, Versioned};
use crate::usecases::support::generations::Endpoint;
use crate::usecases::support::listing::{Listed, PageRequest, list_prefix};
use crate::usecases::support::{cascade, not_found};

pub mod aws_destinations;
pub mod delivery_log;
mod disable;
pub mod latency;
mod limit;
pub mod pause;
pub mod signing;
pub mod stats;

pub use disable::disable;
use limit::{create, room_for_one_more};

/// A subscription as stored: the live one (not expired), what a write must expect (the stored
/// item's version, expired or not), and the writes that go with a change of it: the guard that
/// its topic is unchanged meanwhile and the bump of its publish endpoint's generation.
struct Found {
    live: Option<Versioned<EventSubscription>>,
    expect: Expect,
    with: Vec<Write>,
}

async fn find(ports: &Ports, caller: &Caller, id: &ResourceId) -> Result<Found> {
    caller.owns(id.subscription)?;
    let topic = id.top()?;
    let with = topic_guard(ports, &topic).await?;
    let stored =
        table::get::<EventSubscription>(ports.store.as_ref(), &table::resource_key(id)).await?;
    let expect = table::expect_of(&stored);
    Ok(Found {
        live: stored.filter(|s| !s.value.is_expired(ports.clock.now())),
        expect,
        with,
    })
}

/// The writes a change of a subscription under `topic` carries: the check that the topic
/// exists (a partner topic not expired, or a customer topic) and is unchanged meanwhile (none
/// for the system topic, which always exists), and the bump of its publish endpoint's
/// generation.
async fn topic_guard(ports: &Ports, topic: &ResourceId) -> Result<Vec<Write>> {
    if topic.kind() == ResourceType::SystemTopics {
        return match crate::usecases::support::platform_events::is_system_topic(topic) {
            true => Ok(vec![Endpoint::SystemTopic(topic.subscription).bump()]),
            false => Err(not_found("system topic", topic)),
        };
    }
    let store = ports.store.as_ref();
    let key = table::resource_key(topic);
    let found = match topic.kind() {
        ResourceType::PartnerTopics => {
            table::get::<crate::provisioning::topic::PartnerTopic>(store, &key)
                .await?
                .filter(|t| !t.value.is_expired(ports.clock.now()))
                .map(|t| (t.expect(), Endpoint::of_channel(&t.value.channel)))
        }
        ResourceType::Topics => {
            table::get::<crate::provisioning::custom_topic::CustomTopic>(store, &key)
                .await?
                .map(|t| (t.expect(), Endpoint::Topic(topic.name().to_owned())))
        }
        _ => None,
    };
    let what = match topic.kind() {
        ResourceType::PartnerTopics => "partner topic",
        _ => "topic",
    };
    let (expect, endpoint) = found.ok_or_else(|| not_found(what, topic))?;
    Ok(vec![Write::Check { key, expect }, endpoint.bump()])
}

async fn read(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
) -> Result<Option<Versioned<EventSubscription>>> {
    Ok(find(ports, caller, id).await?.live)
}

async fn read_live(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
) -> Result<Versioned<EventSubscription>> {
    read(ports, caller, id)
        .await?
        .ok_or_else(|| not_found("event subscription", id))
}

/// Validates the destination, and runs the handshake when the endpoint is new or changed.
async fn settle_destination(
    ports: &Ports,
    webhooks: &dyn Webhooks,
    caller: &Caller,
    destination: &Destination,
    previous: Option<&Destination>,
) -> Result<Option<u32>> {
    let hook = match destination {
        Destination::WebHook(hook) => hook,
        other if aws_destinations::is_aws(other) => return Ok(None),
        Destination::PartnerDestination(target) => {
            crate::usecases::resources::partner_destinations::check_target(
                ports,
                caller,
                &target.resource_id,
            )
            .await?;
            return Ok(None);
        }
        _ => return Ok(None),
    };
    hook.check()?;
    let url = hook.endpoint_url.as_deref().unwrap_or_default();
    let unchanged = matches!(previous, Some(Destination::WebHook(old)) if old.endpoint_url.as_deref() == Some(url));
    if unchanged {
        return Ok(None);
    }
    match webhooks.handshake(url).await? {
        Handshake::Allowed { rate } => Ok(rate),
        Handshake::Refused(answer) => Err(Error::invalid(
            code::VALIDATION_FAILED,
            format!(
                "the endpoint {} failed the CloudEvents validation handshake: {answer}",
                subscriptions::destination::base_url(url)
            ),
        )),
    }
}

/// Creates (true) or replaces (false) a subscription.
pub async fn put(
    ports: &Ports,
    destinations: &Destinations,
    caller: &Caller,
    id: &ResourceId,
    body: Body<SubscriptionInput>,
) -> Result<(EventSubscription, bool)> {
    let mut found = find(ports, caller, id).await?;
    let existing = found.live.take();
    let input = body.properties.unwrap_or_default();
    subscriptions::check(&input, ports.clock.now())?;
    let mut destination = input.destination.clone().ok_or_else(|| {
        Error::invalid(
            code::INVALID_DESTINATION,
            "properties.destination is required",
        )
    })?;
    let previous = existing.as_ref().map(|e| &e.value);
    if previous.is_none() {
        room_for_one_more(ports, id).await?;
    }
    let rate = settle_destination(
        ports,
        destinations.webhooks.as_ref(),
        caller,
        &destination,
        previous.map(|p| &p.destination),
    )
    .await?;
    signing::settle(&mut destination, previous.map(|p| &p.destination))?;
    let aws = aws_destinations::is_aws(&destination);
    let mut subscription = EventSubscription {
        id: id.clone(),
        destination,
        filter: input.filter.unwrap_or_default(),
        labels: input.labels.unwrap_or_default(),
        expiration_time_utc: input.expiration_time_utc,
        retry_policy: input.retry_policy.unwrap_or_default(),
        dead_letter_destination: input.dead_letter_destination,
        allowed_rate: match aws {
            true => None,
            false => rate.or(previous.and_then(|p| p.allowed_rate)),
        },
        disabled_at: None,
        paused_at: previous.and_then(|p| p.paused_at),
        incarnation: match previous {
            Some(p) => p.incarnation.clone(),
            None => Some(uuid::Uuid::new_v4().simple().to_string()),
        },
    };
    aws_destinations::check_targets(destinations, caller, &mut subscription, previous).await?;
    if existing.is_some() {
        let mut with = found.with;
        with.extend(stats::create(&subscription)?);
        write(ports, &subscription, found.expect, with).await?;
        return Ok((subscription, false));
    }
    create(ports, caller, &subscription, found).await?;
    Ok((subscription, true))
}

/// Changes only the properties the body names.
pub async fn patch(
    ports: &Ports,
    destinations: &Destinations,
    caller: &Caller,
    id: &ResourceId,
    body: SubscriptionPatch,
) -> Result<EventSubscription> {
    let found = find(ports, caller, id).await?;
    let current = found
        .live
        .ok_or_else(|| not_found("event subscription", id))?;
    let input = body.into_input();
    subscriptions::check(&input, ports.clock.now())?;
    let mut subscription = current.value.clone();
    if let Some(destination) = input.destination {
        let mut destination = keep_secrets(destination, &subscription.destination);
        signing::settle(&mut destination, Some(&subscription.destination))?;
        if let Some(rate) = settle_destination(
            ports,
            destinations.webhooks.as_ref(),
            caller,
            &destination,
            Some(&subscription.destination),
        )
        .await?
        {
            subscription.allowed_rate = Some(rate);
        }
        if aws_destinations::is_aws(&destination) {
            subscription.allowed_rate = None;
        }
        subscription.destination = destination;
    }
    if let Some(filter) = input.filter {
        subscription.filter = filter;
    }
    if let Some(labels) = input.labels {
        subscription.labels = labels;
    }
    if input.expiration_time_utc.is_some() {
        subscription.expiration_time_utc = input.expiration_time_utc;
    }
    if let Some(policy) = input.retry_policy {
        subscription.retry_policy = policy;
    }
    if input.dead_letter_destination.is_some() {
        subscription.dead_letter_destination = input.dead_letter_destination;
    }
    aws_destinations::check_targets(
        destinations,
        caller,
        &mut subscription,
        Some(&current.value),
    )
    .await?;
    subscription.disabled_at = None;
    let mut with = found.with;
    with.extend(stats::create(&subscription)?);
    write(ports, &subscription, current.expect(), with).await?;
    Ok(subscription)
}

/// A PATCH that omits the endpoint URL, or a secret header's value (as a client echoing a GET
/// does), keeps the stored ones.
fn keep_secrets(mut destination: Destination, current: &Destination) -> Destination {
    if let (Destination::WebHook(new), Destination::WebHook(old)) = (&mut destination, current)
        && new.endpoint_url.is_none()
    {
        new.endpoint_url = old.endpoint_url.clone();
    }
    let stored = match current {
        Destination::WebHook(old) => &old.delivery_attribute_mappings,
        other => match other.aws() {
            Some((_, old)) => &old.delivery_attribute_mappings,
            None => return destination,
        },
    };
    let mappings = match &mut destination {
        Destination::WebHook(new) => &mut new.delivery_attribute_mappings,
        other => match other.aws_mut() {
            Some((_, new)) => &mut new.delivery_attribute_mappings,
            None => return destination,
        },
    };
    for mapping in mappings {
        if let DeliveryAttributeMapping::Static { name, properties } = mapping
            && properties.is_secret
            && properties.value.is_none()
            && let Some(DeliveryAttributeMapping::Static {
                properties: kept, ..
            }) = stored.iter().find(|m| m.name().eq_ignore_ascii_case(name))
        {
            properties.value = kept.value.clone();
        }
    }
    destination
}

async fn write(
    ports: &Ports,
    subscription: &EventSubscription,
    expect: Expect,
    with: Vec<Write>,
) -> Result<()> {
    let expires = subscription.expiration_time_utc.map(|t| t.unix_timestamp());
    let put = table::put_with_ttl(
        table::resource_key(&subscription.id),
        subscription,
        expect,
        expires,
    )?;
    match ports
        .store
        .write([put].into_iter().chain(with).collect())
        .await
    {
        Err(e) if e.is_conflict() => Err(Error::conflict(
            common::CONCURRENT_UPDATE,
            "the event subscription or its topic changed meanwhile; read it again and retry",
        )),
        other => other,
    }
}

pub async fn get(ports: &Ports, caller: &Caller, id: &ResourceId) -> Result<EventSubscription> {
    Ok(read_live(ports, caller, id).await?.value)
}

/// Deletes the subscription, its dead letters and its delivery counts; missing is success.
pub async fn delete(ports: &Ports, caller: &Caller, id: &ResourceId) -> Result<()> {
    caller.owns(id.subscription)?;
    let endpoint = Endpoint::of_topic(ports, &id.top()?).await?;
    let key = table::resource_key(id);
    let mut writes = vec![Write::Delete {
        key,
        expect: Expect::Any,
    }];
    writes.extend(endpoint.map(|e| e.bump()));
    ports.store.write(writes).await?;
    cascade::subscription_data(ports, id).await
}

/// The topic's live subscriptions.
pub async fn list(
    ports: &Ports,
    caller: &Caller,
    topic: &ResourceId,
    page: &PageRequest,
) -> Result<Listed<EventSubscription>> {
    caller.owns(topic.subscription)?;
    topic_guard(ports, topic).await?;
    let prefix = table::children_prefix(topic, ResourceType::EventSubscriptions);
    let mut listed: Listed<EventSubscription> = list_prefix(
        ports.store.as_ref(),
        &table::subscription_partition(topic.subscription),
        &prefix,
        page,
    )
    .await?;
    let now = ports.clock.now();
    listed.items.retain(|s| !s.is_expired(now));
    Ok(listed)
}

/// The full endpoint URL, query and all.
pub async fn full_url(ports: &Ports, caller: &Caller, id: &ResourceId) -> Result<String> {
    match read_live(ports, caller, id).await?.value.destination {
        Destination::WebHook(hook) => Ok(hook.endpoint_url.unwrap_or_default()),
        _ => Ok(String::new()),
    }
}

/// The delivery attribute mappings, secret values included.
pub async fn delivery_attributes(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
) -> Result<Vec<DeliveryAttributeMapping>> {
    match read_live(ports, caller, id).await?.value.destination {
        Destination::WebHook(hook) => Ok(hook.delivery_attribute_mappings),
        other => Ok(other
            .aws()
            .map(|(_, t)| t.delivery_attribute_mappings.clone())
            .unwrap_or_default()),
    }
}
