//! Pausing and resuming a subscription's deliveries. While paused, matching events are held
//! (see the fan-out's hold), not attempted and not dead-lettered; their time to live still
//! runs, so one held past it is dead-lettered when it comes back. Resuming sends the held
//! events back to delivery, oldest first. Neither uses an attempt nor sends a platform event.

use super::{find, not_found, write};
use crate::auth::Caller;
use crate::error::Result;
use crate::ids::ResourceId;
use crate::ports::{Expect, Ports, Queue, Write};
use crate::subscriptions::EventSubscription;
use crate::table;

/// Held batches sent back per page.
const PAGE: usize = 100;
/// Pages one call sends back; a release message on the delivery queue goes on with the rest.
pub const PAGES_PER_CALL: usize = 10;

/// Pauses deliveries (kept as they are when already paused).
pub async fn pause(ports: &Ports, caller: &Caller, id: &ResourceId) -> Result<EventSubscription> {
    let now = ports.clock.now();
    set(ports, caller, id, |s| {
        s.paused_at.get_or_insert(now);
    })
    .await
}

/// Resumes deliveries and sends the held events back, oldest first: up to [`PAGES_PER_CALL`]
/// pages at once, the rest through a release message on the delivery queue. Returns the
/// subscription and how many held batches were sent at once. Resuming a subscription that is
/// not paused sends back whatever it still holds.
pub async fn resume(
    ports: &Ports,
    queue: &dyn Queue,
    caller: &Caller,
    id: &ResourceId,
) -> Result<(EventSubscription, usize)> {
    let subscription = set(ports, caller, id, |s| s.paused_at = None).await?;
    let released = release(ports, queue, id).await?;
    Ok((subscription, released))
}

async fn set(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
    change: impl FnOnce(&mut EventSubscription),
) -> Result<EventSubscription> {
    let found = find(ports, caller, id).await?;
    let current = found
        .live
        .ok_or_else(|| not_found("event subscription", id))?;
    let mut subscription = current.value.clone();
    change(&mut subscription);
    if subscription.paused_at != current.value.paused_at {
        write(ports, &subscription, current.expect(), found.with).await?;
    }
    Ok(subscription)
}

/// Sends the held batches of `id` to the delivery queue in the order they were held, then
/// removes them, a page at a time, for up to [`PAGES_PER_CALL`] pages; if more are held, a
/// release message goes on with them. Returns how many were sent.
pub async fn release(ports: &Ports, queue: &dyn Queue, id: &ResourceId) -> Result<usize> {
    let partition = table::held_partition(id);
    let mut sent = 0;
    for _ in 0..PAGES_PER_CALL {
        let page = ports.store.query(&partition, "", None, PAGE).await?;
        if page.items.is_empty() {
            return Ok(sent);
        }
        let mut bodies = Vec::with_capacity(page.items.len());
        let mut removals = Vec::with_capacity(page.items.len());
        for item in page.items {
            bodies.push(item.body);
            removals.push(Write::Delete {
                key: item.key,
                expect: Expect::Any,
            });
        }
        sent += bodies.len();
        queue.send(bodies, std::time::Duration::ZERO).await?;
        ports.store.write(removals).await?;
    }
    let more = ports.store.query(&partition, "", None, 1).await?;
    if !more.items.is_empty() {
        let message = crate::delivery::release_message(&id.to_string());
        queue.send(vec![message], std::time::Duration::ZERO).await?;
    }
    Ok(sent)
}
