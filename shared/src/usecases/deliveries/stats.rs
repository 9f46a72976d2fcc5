//! Per-subscription delivery counts: added up in memory as deliveries happen and merged into
//! the subscription's stats item by [`Stats::flush`] (one read and one conditional write per
//! subscription touched), so the hot path writes nothing per event.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::auth::Caller;
use crate::error::Result;
use crate::ids::ResourceId;
use crate::ports::Ports;
use crate::table;
use crate::usecases::{event_subscriptions, is_conflict};

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
}

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
}

/// Counts not yet written, by subscription.
#[derive(Default)]
pub struct Stats {
    pending: Mutex<HashMap<ResourceId, DeliveryStats>>,
}

impl Stats {
    fn with(&self, id: &ResourceId, f: impl FnOnce(&mut DeliveryStats)) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        match pending.get_mut(id) {
            Some(stats) => f(stats),
            None => f(pending.entry(id.clone()).or_default()),
        }
    }

    pub fn delivered(&self, id: &ResourceId, events: usize, at: OffsetDateTime) {
        self.with(id, |s| {
            s.delivered_events += events as u64;
            s.last_success_time_utc = s.last_success_time_utc.max(Some(at));
        });
    }

    pub fn failed(&self, id: &ResourceId, error: LastError) {
        self.with(id, |s| {
            s.failed_attempts += 1;
            s.last_error = Some(error);
        });
    }

    pub fn dead_lettered(&self, id: &ResourceId, events: usize) {
        self.with(id, |s| s.dead_lettered_events += events as u64);
    }

    /// Merges the pending counts into the table; counts that could not be written stay
    /// pending for the next flush.
    pub async fn flush(&self, ports: &Ports) -> Result<()> {
        let pending = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()));
        let mut result = Ok(());
        for (id, delta) in pending {
            if let Err(e) = merge(ports, &id, &delta).await {
                self.with(&id, |s| s.add(&delta));
                result = Err(e);
            }
        }
        result
    }
}

async fn merge(ports: &Ports, id: &ResourceId, delta: &DeliveryStats) -> Result<()> {
    let key = table::delivery_stats(id);
    let mut tries = 0;
    loop {
        tries += 1;
        let stored = table::get::<DeliveryStats>(ports.store.as_ref(), &key).await?;
        let expect = table::expect_of(&stored);
        let mut total = stored.map(|s| s.value).unwrap_or_default();
        total.add(delta);
        match ports
            .store
            .write(vec![table::put(key.clone(), &total, expect)?])
            .await
        {
            Err(e) if is_conflict(&e) && tries < 10 => continue,
            other => return other,
        }
    }
}

/// The subscription's counts so far.
pub async fn get(ports: &Ports, caller: &Caller, id: &ResourceId) -> Result<DeliveryStats> {
    event_subscriptions::get(ports, caller, id).await?;
    Ok(
        table::get::<DeliveryStats>(ports.store.as_ref(), &table::delivery_stats(id))
            .await?
            .map(|s| s.value)
            .unwrap_or_default(),
    )
}
