//! Per-subscription delivery counts: added up in memory as deliveries happen and added to the
//! subscription's stats item by [`Stats::flush`] with the store's atomic add (one write per
//! subscription touched, no read, nothing to retry on a race), before an invocation returns;
//! with deliveries, one more to the subscription's current latency window ([`latency`]).

use std::sync::Mutex;

use foldhash::HashMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::auth::Caller;
use crate::error::Result;
use crate::ids::ResourceId;
use crate::ports::{Expect, Item, Key, Ports, Write};
use crate::subscriptions::EventSubscription;
use crate::table;
use crate::usecases::resources::event_subscriptions;
use crate::usecases::resources::event_subscriptions::latency;

/// The last failed attempt, as the stats show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LastError {
    /// Event Grid's `lastDeliveryOutcome`.
    pub outcome: String,
    /// 0 when the endpoint did not answer.
    pub http_status_code: u16,
    #[serde(with = "time::serde::rfc3339")]
    pub time_utc: OffsetDateTime,
}

/// A subscription's delivery counts (read-only, `GET .../eventSubscriptions/{name}/stats`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryStats {
    /// Events delivered (a 2xx answer).
    pub delivered_events: u64,
    /// Delivery attempts that failed (requests, not events).
    pub failed_attempts: u64,
    /// Events dead-lettered.
    pub dead_lettered_events: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<LastError>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub last_success_time_utc: Option<OffsetDateTime>,
    /// The median publish-to-delivery latency over the last hour, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_p50_in_milliseconds: Option<u64>,
    /// The 99th percentile of the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_p99_in_milliseconds: Option<u64>,
}

const DELIVERED: &str = "deliveredEvents";
const FAILED: &str = "failedAttempts";
const DEAD_LETTERED: &str = "deadLetteredEvents";
const LAST_ERROR: &str = "lastError";
const LAST_SUCCESS: &str = "lastSuccessTimeUtc";

impl DeliveryStats {
    fn add(&mut self, other: &DeliveryStats) {
        self.delivered_events += other.delivered_events;
        self.failed_attempts += other.failed_attempts;
        self.dead_lettered_events += other.dead_lettered_events;
        if other.last_error.as_ref().map(|e| e.time_utc)
            >= self.last_error.as_ref().map(|e| e.time_utc)
            && other.last_error.is_some()
        {
            self.last_error = other.last_error.clone();
        }
        self.last_success_time_utc = self.last_success_time_utc.max(other.last_success_time_utc);
    }

    /// The store's atomic add of these counts to the stats item at `key`.
    fn as_add(&self, key: Key) -> Result<Write> {
        let counts = [
            (DELIVERED, self.delivered_events),
            (FAILED, self.failed_attempts),
            (DEAD_LETTERED, self.dead_lettered_events),
        ];
        let mut notes = Vec::new();
        if let Some(error) = &self.last_error {
            notes.push((LAST_ERROR.to_owned(), table::encode(error)?));
        }
        if let Some(at) = self.last_success_time_utc {
            notes.push((LAST_SUCCESS.to_owned(), crate::time_format::rfc3339(at)));
        }
        Ok(Write::Add {
            key,
            counts: counts
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(|(name, n)| (name.to_owned(), n))
                .collect(),
            notes,
        })
    }

    /// The counts a stats item holds: its tally, plus the counts in its body when it was
    /// written before counts were added atomically.
    fn of_item(item: &Item) -> Self {
        let mut stats: DeliveryStats = table::decode(&item.body).unwrap_or_default();
        let tally = &item.tally;
        let count = |name: &str| tally.counts.get(name).copied().unwrap_or(0);
        stats.add(&DeliveryStats {
            delivered_events: count(DELIVERED),
            failed_attempts: count(FAILED),
            dead_lettered_events: count(DEAD_LETTERED),
            last_error: tally
                .notes
                .get(LAST_ERROR)
                .and_then(|e| table::decode(e).ok()),
            last_success_time_utc: tally.notes.get(LAST_SUCCESS).and_then(|t| {
                OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
            }),
            ..DeliveryStats::default()
        });
        stats
    }
}

/// The stats item of `subscription`: created with it, removed with it, and keyed by its
/// incarnation, so counts written late for a deleted subscription are not added to one
/// re-created under its name.
pub fn key(subscription: &EventSubscription) -> Key {
    table::delivery_stats(&subscription.id, subscription.incarnation.as_deref())
}

/// The write that creates the stats item of a new `subscription` (none for one stored before
/// subscriptions had incarnations: its item is created on its first counts).
pub fn create(subscription: &EventSubscription) -> Result<Option<Write>> {
    if subscription.incarnation.is_none() {
        return Ok(None);
    }
    let expires = subscription.expiration_time_utc.map(|t| t.unix_timestamp());
    Ok(Some(table::put_with_ttl(
        key(subscription),
        &serde_json::json!({}),
        Expect::Any,
        expires,
    )?))
}

/// Counts not yet written for one stats item.
struct Pending {
    key: Key,
    subscription: ResourceId,
    incarnation: Option<String>,
    /// True for a subscription without an incarnation (see [`create`]).
    legacy: bool,
    delta: DeliveryStats,
    latency: latency::Pending,
}

/// Counts not yet written, by subscription and then by stats item (one per incarnation:
/// almost always one), so a delivery finds its counts without building the item's key.
#[derive(Default)]
pub struct Stats {
    pending: Mutex<HashMap<ResourceId, Vec<Pending>>>,
}

impl Stats {
    fn with(&self, subscription: &EventSubscription, f: impl FnOnce(&mut Pending)) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(items) = pending.get_mut(&subscription.id) {
            return f(item_of(items, subscription));
        }
        let items = pending.entry(subscription.id.clone()).or_default();
        f(item_of(items, subscription));
    }

    /// Counts `events` delivered at `at`, and their latency since `published_at`.
    pub fn delivered(
        &self,
        subscription: &EventSubscription,
        events: usize,
        published_at: OffsetDateTime,
        at: OffsetDateTime,
    ) {
        self.with(subscription, |p| {
            p.delta.delivered_events += events as u64;
            p.delta.last_success_time_utc = p.delta.last_success_time_utc.max(Some(at));
            p.latency.add(events, published_at, at);
        });
    }

    pub fn failed(&self, subscription: &EventSubscription, error: LastError) {
        self.with(subscription, |p| {
            p.delta.failed_attempts += 1;
            p.delta.last_error = Some(error);
        });
    }

    pub fn dead_lettered(&self, subscription: &EventSubscription, events: usize) {
        self.with(subscription, |p| {
            p.delta.dead_lettered_events += events as u64
        });
    }

    /// Adds the pending counts to the table, one atomic add per subscription (and one per
    /// latency window touched), all subscriptions at once. Counts of a subscription deleted
    /// meanwhile are dropped; counts that could not be written stay pending for the next flush.
    pub async fn flush(&self, ports: &Ports) -> Result<()> {
        let pending = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()));
        let results =
            futures_util::future::join_all(pending.into_values().flatten().map(|p| async move {
                let counts = add(ports, &p.key, &p).await;
                let latency = match (&counts, p.latency.is_empty()) {
                    (Ok(()), false) => p.latency.write(ports, &p.key).await,
                    _ => Ok(()),
                };
                (counts, latency, p)
            }))
            .await;
        let mut result = Ok(());
        for (counts, latency, mut p) in results {
            let counts_failed = counts.is_err();
            if !counts_failed && latency.is_ok() {
                continue;
            }
            if !counts_failed {
                p.delta = DeliveryStats::default();
            }
            let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            let items = pending.entry(p.subscription.clone()).or_default();
            match items.iter_mut().find(|later| later.key == p.key) {
                Some(later) => {
                    later.delta.add(&p.delta);
                    later.latency.merge(p.latency);
                }
                None => items.push(p),
            }
            result = counts.and(latency);
        }
        result
    }
}

/// The counts of `subscription`'s current incarnation among `items`, added when missing.
fn item_of<'a>(items: &'a mut Vec<Pending>, subscription: &EventSubscription) -> &'a mut Pending {
    let incarnation = subscription.incarnation.as_deref();
    let at = match items
        .iter()
        .position(|p| p.incarnation.as_deref() == incarnation)
    {
        Some(at) => at,
        None => {
            items.push(Pending {
                key: key(subscription),
                subscription: subscription.id.clone(),
                incarnation: subscription.incarnation.clone(),
                legacy: incarnation.is_none(),
                delta: DeliveryStats::default(),
                latency: latency::Pending::default(),
            });
            items.len() - 1
        }
    };
    &mut items[at]
}

async fn add(ports: &Ports, key: &Key, pending: &Pending) -> Result<()> {
    let add = pending.delta.as_add(key.clone())?;
    match ports.store.write(vec![add.clone()]).await {
        Err(e) if e.is_conflict() && pending.legacy => {
            let create = [
                Write::Check {
                    key: table::resource_key(&pending.subscription),
                    expect: Expect::Exists,
                },
                table::put(key.clone(), &serde_json::json!({}), Expect::Absent)?,
            ];
            match ports.store.write(create.into()).await {
                Err(e) if !e.is_conflict() => return Err(e),
                _ => {}
            }
            match ports.store.write(vec![add]).await {
                Err(e) if e.is_conflict() => dropped(pending),
                other => other,
            }
        }
        Err(e) if e.is_conflict() => dropped(pending),
        other => other,
    }
}

fn dropped(pending: &Pending) -> Result<()> {
    tracing::debug!(subscription = %pending.subscription, "delivery counts dropped: the subscription was deleted");
    Ok(())
}

/// The subscription's counts so far, and its latency over the last hour.
pub async fn get(ports: &Ports, caller: &Caller, id: &ResourceId) -> Result<DeliveryStats> {
    let subscription = event_subscriptions::get(ports, caller, id).await?;
    let key = key(&subscription);
    let mut stats = ports
        .store
        .get(&key)
        .await?
        .map(|item| DeliveryStats::of_item(&item))
        .unwrap_or_default();
    if let Some((p50, p99)) = latency::percentiles(ports, &key, ports.clock.now()).await? {
        stats.latency_p50_in_milliseconds = Some(p50);
        stats.latency_p99_in_milliseconds = Some(p99);
    }
    Ok(stats)
}
