//! The platform-event relay: moves outboxed events to the queue the fan-out handler reads. A
//! relay claims what it sends for a minute (see the outbox in `support::platform_events`), so
//! relays running at once do not send the same event twice. A relay reads at most as many
//! items as it may move, claimed ones included, so a backlog never makes a request slow; right
//! after a change it reads only the shards this process recorded in during the last two
//! seconds, the sweeper reads them all.

use serde_json::Value;

use crate::error::Result;
use crate::ids::ResourceId;
use crate::ports::{Expect, Ports, Queue, Write};
use crate::usecases::support::generations::Endpoint;
use crate::usecases::support::platform_events::outbox::{
    claim, partition, partitions, recent_shards,
};

/// How many outboxed items a request or a delivery reads per shard on its way out; the sweeper
/// moves the rest, so a backlog never slows a request down.
pub const RELAY_NOW: usize = 20;
/// Moves up to `limit` outboxed events to `queue`, oldest first within each shard, reading at
/// most `limit` items; returns how many it moved. The sweeper's relay; it also empties the
/// one partition the outbox was before it had shards. A partition that fails does not stop
/// the others (the first failure is returned).
pub async fn relay(ports: &Ports, queue: &dyn Queue, limit: usize) -> Result<usize> {
    let mut budget = limit;
    let mut moved = 0;
    let mut failed = None;
    for partition in partitions() {
        if budget == 0 {
            break;
        }
        match relay_partition(ports, queue, &partition, budget).await {
            Ok((read, sent)) => {
                budget -= read;
                moved += sent;
            }
            Err(e) => {
                tracing::warn!(partition, error = %e, "outbox partition not relayed");
                failed.get_or_insert(e);
            }
        }
    }
    failed.map_or(Ok(moved), Err)
}

/// Moves on what this process recorded lately, reading at most [`RELAY_NOW`] items in each
/// shard it recorded in within the last two seconds, all at once. What lies beyond waits for
/// the sweeper.
pub async fn relay_recent(ports: &Ports, queue: &dyn Queue) -> Result<usize> {
    let relays = recent_shards().map(|shard| async move {
        relay_partition(ports, queue, &partition(shard), RELAY_NOW).await
    });
    let mut moved = 0;
    for result in futures_util::future::join_all(relays).await {
        moved += result?.1;
    }
    Ok(moved)
}

/// Relays from one partition, reading at most `limit` items; how many it read and moved.
async fn relay_partition(
    ports: &Ports,
    queue: &dyn Queue,
    partition: &str,
    limit: usize,
) -> Result<(usize, usize)> {
    let (mut read, mut moved) = (0, 0);
    let mut after: Option<String> = None;
    while read < limit {
        let page = ports
            .store
            .query(partition, "", after.as_deref(), (limit - read).min(25))
            .await?;
        read += page.items.len();
        let claimed = claim(ports, page.items).await?;
        if !claimed.is_empty() {
            let mut bodies = Vec::with_capacity(claimed.len());
            for (_, message) in &claimed {
                bodies.push(with_generation(ports, message.clone()).await?);
            }
            queue.send(bodies, std::time::Duration::ZERO).await?;
            moved += claimed.len();
            let deletes = claimed
                .into_iter()
                .map(|(key, _)| Write::Delete {
                    key,
                    expect: Expect::Any,
                })
                .collect();
            ports.store.write(deletes).await?;
        }
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    Ok((read, moved))
}

/// The fan-out message with its system topic's current generation, so subscriptions changed
/// before the relay see the event.
async fn with_generation(ports: &Ports, mut message: Value) -> Result<String> {
    if let Some(topic) = message["topic"]
        .as_str()
        .and_then(|t| t.parse::<ResourceId>().ok())
    {
        message["generation"] = Endpoint::SystemTopic(topic.subscription)
            .current(ports)
            .await?
            .into();
    }
    Ok(message.to_string())
}
