//! The outbox of platform events: written in the same atomic write as the change an event
//! reports, then relayed to a queue the fan-out handler reads. A relay claims what it sends for
//! a minute, so relays running at once do not send the same event twice; what a crashed relay
//! claimed is sent by a later one once the claim lapses (at least once).
//!
//! The outbox is [`SHARDS`] partitions, an event's chosen by its id, so no tenant's events
//! (dead letters of a webhook that refuses everything, say) crowd one partition for everyone.
//! A relay reads at most as many items as it may move, claimed ones included, so a backlog
//! never makes a request slow; right after a change it reads only the shards this process
//! recorded in during the last two seconds, the sweeper reads them all.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::ids::ResourceId;
use crate::ports::{Expect, Key, Ports, Queue, Write};
use crate::table;
use crate::usecases::generations::Endpoint;

/// How many outboxed items a request or a delivery reads per shard on its way out; the sweeper
/// moves the rest, so a backlog never slows a request down.
pub const RELAY_NOW: usize = 20;
/// The outbox's partitions.
pub const SHARDS: u32 = 32;
/// The outbox partitions are `{OUTBOX}#{shard}`; sort keys are `{20-digit Unix ms}#{event id}`.
const OUTBOX: &str = "platformEventsOutbox";
/// When this process last recorded an event in each shard (ms since [`since`], 0: never).
static RECORDED: [AtomicU64; SHARDS as usize] = [const { AtomicU64::new(0) }; SHARDS as usize];
/// How long after a shard was recorded in a relay right after a change still reads it: the
/// write that records an event commits after `record` returns, perhaps after another relay.
const RECENT_MS: u64 = 2_000;

fn since() -> u64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_millis() as u64
        + 1
}
/// How long an unrelayed event may wait before the store drops it.
const TTL: time::Duration = time::Duration::days(14);
/// How long a relay holds the events it is sending.
const CLAIM: time::Duration = time::Duration::minutes(1);

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    /// The fan-out message that publishes the event on its system topic.
    message: Value,
    #[serde(default, with = "time::serde::rfc3339::option")]
    claimed_until: Option<OffsetDateTime>,
}

/// The outbox write of `event`; add it to the write that makes the change it reports.
pub fn record(ports: &Ports, event: &Value) -> Result<Write> {
    let now = ports.clock.now();
    let id = event["id"].as_str().unwrap_or_default();
    let shard = shard_of(id);
    RECORDED[shard as usize].store(since(), Ordering::Relaxed);
    let key = Key::new(
        partition(shard),
        format!(
            "{:020}#{id}",
            (now.unix_timestamp_nanos() / 1_000_000).max(0)
        ),
    );
    let topic = event["source"]
        .as_str()
        .ok_or_else(|| Error::internal("a platform event without a source"))?;
    let entry = Entry {
        message: json!({
            "topic": topic,
            "publishedAt": crate::time_format::rfc3339(now),
            "events": [event],
        }),
        claimed_until: None,
    };
    put(key, &entry, Expect::Absent, now)
}

fn put(key: Key, entry: &Entry, expect: Expect, now: OffsetDateTime) -> Result<Write> {
    super::super::pairs::put_with_ttl(key, entry, expect, Some((now + TTL).unix_timestamp()))
}

/// The shard of the event with id `id` (FNV-1a, stable across processes and releases).
pub fn shard_of(id: &str) -> u32 {
    let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (hash % u64::from(SHARDS)) as u32
}

fn partition(shard: u32) -> String {
    format!("{OUTBOX}#{shard:02}")
}

/// Moves up to `limit` outboxed events to `queue`, oldest first within each shard, reading at
/// most `limit` items; returns how many it moved. The sweeper's relay; it also empties the
/// one partition the outbox was before it had shards. A partition that fails does not stop
/// the others (the first failure is returned).
pub async fn relay(ports: &Ports, queue: &dyn Queue, limit: usize) -> Result<usize> {
    let mut budget = limit;
    let mut moved = 0;
    let partitions = (0..SHARDS).map(partition).chain([OUTBOX.to_owned()]);
    let mut failed = None;
    for partition in partitions {
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
    let now = since();
    let recent = (0..SHARDS).filter(|s| {
        let at = RECORDED[*s as usize].load(Ordering::Relaxed);
        at != 0 && now.saturating_sub(at) <= RECENT_MS
    });
    let relays = recent.map(|shard| async move {
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
            let bodies = claimed.iter().map(|(_, body)| body.clone()).collect();
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

/// Claims the unclaimed (or lapsed) items among `items`; their keys and queue message bodies.
async fn claim(ports: &Ports, items: Vec<crate::ports::Item>) -> Result<Vec<(Key, String)>> {
    let now = ports.clock.now();
    let mut claimed = Vec::new();
    for item in items {
        let mut entry: Entry = table::decode(&item.body)?;
        if entry.claimed_until.is_some_and(|until| until > now) {
            continue;
        }
        entry.claimed_until = Some(now + CLAIM);
        let write = put(item.key.clone(), &entry, Expect::Version(item.version), now)?;
        match ports.store.write(vec![write]).await {
            Ok(()) => claimed.push((item.key, with_generation(ports, entry.message).await?)),
            Err(e) if super::super::is_conflict(&e) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(claimed)
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
