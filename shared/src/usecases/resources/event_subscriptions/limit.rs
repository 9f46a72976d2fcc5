//! The most event subscriptions a topic may have ([`MAX_PER_TOPIC`]), held however many are
//! created at once.

use super::stats;
use super::{Found, find, write};
use crate::auth::Caller;
use crate::error::{Error, ErrorKind, Result, code as common};
use crate::ids::{ResourceId, ResourceType};
use crate::ports::{Expect, Ports, Write};
use crate::subscriptions::{EventSubscription, MAX_PER_TOPIC, code};
use crate::table;

/// How many times a creation that lost a race for its topic's place is tried again.
const CREATE_TRIES: usize = 20;

/// Stores a new subscription if its topic has room, however many are created at once: each
/// creation counts the topic's subscriptions and changes the topic's subscription set item in
/// the same write as it adds one, so of two that counted the same set, one fails and counts
/// again.
pub(super) async fn create(
    ports: &Ports,
    caller: &Caller,
    subscription: &EventSubscription,
    mut found: Found,
) -> Result<()> {
    let id = &subscription.id;
    for _ in 0..CREATE_TRIES {
        let set = table::subscription_set(&id.top()?);
        let version = ports.store.get(&set).await?.map(|item| item.version);
        room_for_one_more(ports, id).await?;
        let mut with = found.with.clone();
        with.extend(stats::create(subscription)?);
        with.push(Write::Put {
            key: set,
            body: "{}".into(),
            expires_at: None,
            expect: version.map_or(Expect::Absent, Expect::Version),
        });
        match write(ports, subscription, found.expect, with).await {
            Err(e) if e.kind == ErrorKind::Transient => {}
            Err(e) if e.is_conflict() => {
                found = find(ports, caller, id).await?;
                if found.live.is_some() {
                    return Err(e);
                }
            }
            other => return other,
        }
    }
    Err(Error::conflict(
        common::CONCURRENT_UPDATE,
        "too many event subscriptions are being created on this topic at once; retry",
    ))
}

/// `TooManySubscriptions` when the topic of `id` already has the most it may.
pub(super) async fn room_for_one_more(ports: &Ports, id: &ResourceId) -> Result<()> {
    let topic = id.top()?;
    let count = ports
        .store
        .query(
            &table::subscription_partition(id.subscription),
            &table::children_prefix(&topic, ResourceType::EventSubscriptions),
            None,
            MAX_PER_TOPIC,
        )
        .await?;
    if count.next.is_some() || count.items.len() >= MAX_PER_TOPIC {
        return Err(Error::invalid(
            code::TOO_MANY_SUBSCRIPTIONS,
            format!(
                "this topic has {MAX_PER_TOPIC} event subscriptions, the most allowed; delete one first"
            ),
        ));
    }
    Ok(())
}
