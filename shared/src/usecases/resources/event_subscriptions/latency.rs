//! A subscription's publish-to-delivery latency over the last hour: delivered events counted
//! by latency bucket ([`LATENCY_BOUNDS_MS`]) in one item per 5-minute window beside its stats
//! item, added to with the store's atomic add (one write per subscription and window touched,
//! no read; the window's item is created on the first add that finds none) and removed by TTL
//! two hours on. A read merges the windows that overlap the last hour (60 to 65 minutes) and
//! estimates p50 and p99 by interpolating within a bucket, as Prometheus's `histogram_quantile`.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use crate::error::Result;
use crate::metrics::LATENCY_BOUNDS_MS;
use crate::ports::{Expect, Key, Ports, Write};
use crate::table;

/// How long one window is, in seconds.
pub const WINDOW_SECONDS: i64 = 300;
/// How long after its start a window's item is kept.
const KEPT_SECONDS: i64 = 2 * 3600;
/// The span the percentiles cover.
const SPAN_SECONDS: i64 = 3600;
const BUCKETS: usize = LATENCY_BOUNDS_MS.len() + 1;

/// Delivered events by latency bucket (the last one above every bound).
pub type Buckets = [u64; BUCKETS];

/// Counts not yet written, by window start (Unix seconds).
#[derive(Debug, Default, Clone)]
pub struct Pending(BTreeMap<i64, Buckets>);

impl Pending {
    /// Counts `events` delivered at `at`, published at `published_at`.
    pub fn add(&mut self, events: usize, published_at: OffsetDateTime, at: OffsetDateTime) {
        let ms = u64::try_from((at - published_at).whole_milliseconds()).unwrap_or(0);
        let bucket = LATENCY_BOUNDS_MS.partition_point(|bound| *bound < ms);
        let window = at.unix_timestamp().div_euclid(WINDOW_SECONDS) * WINDOW_SECONDS;
        self.0.entry(window).or_insert([0; BUCKETS])[bucket] += events as u64;
    }

    pub fn merge(&mut self, other: Pending) {
        for (window, buckets) in other.0 {
            let mine = self.0.entry(window).or_insert([0; BUCKETS]);
            mine.iter_mut().zip(buckets).for_each(|(m, b)| *m += b);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds the counts to the window items beside the stats item `stats`, which must exist
    /// (the counts of a deleted subscription are dropped).
    pub async fn write(&self, ports: &Ports, stats: &Key) -> Result<()> {
        for (window, buckets) in &self.0 {
            let key = table::delivery_latency(stats, *window);
            let add = Write::Add {
                key: key.clone(),
                counts: buckets
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| **n > 0)
                    .map(|(i, n)| (format!("b{i}"), *n))
                    .collect(),
                notes: Vec::new(),
            };
            match ports.store.write(vec![add.clone()]).await {
                Err(e) if e.is_conflict() => {}
                other => {
                    other?;
                    continue;
                }
            }
            let create = vec![
                Write::Check {
                    key: stats.clone(),
                    expect: Expect::Exists,
                },
                table::put_with_ttl(
                    key,
                    &serde_json::json!({}),
                    Expect::Absent,
                    Some(window + KEPT_SECONDS),
                )?,
            ];
            match ports.store.write(create).await {
                Err(e) if !e.is_conflict() => return Err(e),
                _ => {}
            }
            match ports.store.write(vec![add]).await {
                Err(e) if e.is_conflict() => {}
                other => other?,
            }
        }
        Ok(())
    }
}

/// The p50 and p99 latency in milliseconds over the last hour before `now`, of the
/// subscription whose stats item is `stats`; `None` when nothing was delivered in it.
pub async fn percentiles(
    ports: &Ports,
    stats: &Key,
    now: OffsetDateTime,
) -> Result<Option<(u64, u64)>> {
    let now = now.unix_timestamp();
    let first = (now - SPAN_SECONDS).div_euclid(WINDOW_SECONDS) * WINDOW_SECONDS;
    let prefix = table::delivery_latency_prefix(stats);
    let after = table::delivery_latency(stats, first - 1).sort;
    let page = ports
        .store
        .query(&stats.partition, &prefix, Some(&after), 100)
        .await?;
    let mut merged = [0u64; BUCKETS];
    for item in page.items {
        if item.expires_at.is_some_and(|at| at <= now) {
            continue;
        }
        for (i, total) in merged.iter_mut().enumerate() {
            *total += item
                .tally
                .counts
                .get(&format!("b{i}"))
                .copied()
                .unwrap_or(0);
        }
    }
    Ok(quantile(&merged, 0.5).zip(quantile(&merged, 0.99)))
}

/// The `q` quantile of `buckets` in milliseconds, interpolated linearly within its bucket
/// (the last bound for the bucket above every bound); `None` for no counts.
pub fn quantile(buckets: &Buckets, q: f64) -> Option<u64> {
    let total: u64 = buckets.iter().sum();
    if total == 0 {
        return None;
    }
    let rank = q * total as f64;
    let mut below = 0u64;
    for (i, count) in buckets.iter().enumerate() {
        if *count > 0 && (below + count) as f64 >= rank {
            let Some(upper) = LATENCY_BOUNDS_MS.get(i) else {
                return LATENCY_BOUNDS_MS.last().copied();
            };
            let lower = i.checked_sub(1).map_or(0, |j| LATENCY_BOUNDS_MS[j]);
            let within = (rank - below as f64) / *count as f64;
            return Some((lower as f64 + (upper - lower) as f64 * within).round() as u64);
        }
        below += count;
    }
    LATENCY_BOUNDS_MS.last().copied()
}
