//! Each subscription's publish-to-delivery latency in `deliveryStats`, on every store adapter:
//! p50 and p99 over the last hour, merged from any number of flushes, gone once the hour has
//! passed, at one more write per subscription per flush and no read.

on_every_store!(
    cases: latency_percentiles_merge_every_flush_of_the_last_hour_and_then_expire,
    a_flush_with_deliveries_writes_the_counts_and_the_latency_window_without_a_read,
);

#[cfg(test)]
mod cases {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use shared::error::Result;
    use shared::ports::{Item, Key, ManualClock, Page, Ports, Store, Write};
    use shared::usecases::resources::event_subscriptions::stats::{self, LastError, Stats};
    use time::{Duration, OffsetDateTime};

    use crate::event_subscriptions::cases::{World, subscribe, world};

    /// A store counting the reads and the write calls made through it.
    struct Counting {
        inner: Arc<dyn Store>,
        reads: AtomicUsize,
        writes: AtomicUsize,
    }

    #[async_trait::async_trait]
    impl Store for Counting {
        async fn get(&self, key: &Key) -> Result<Option<Item>> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            self.inner.get(key).await
        }
        async fn write(&self, writes: Vec<Write>) -> Result<()> {
            self.writes.fetch_add(1, Ordering::SeqCst);
            self.inner.write(writes).await
        }
        async fn query(&self, p: &str, s: &str, a: Option<&str>, l: usize) -> Result<Page> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            self.inner.query(p, s, a, l).await
        }
    }

    /// Ten seconds into a 5-minute window (the windows are aligned on Unix time).
    fn start() -> OffsetDateTime {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        OffsetDateTime::from_unix_timestamp(now - now.rem_euclid(300) + 10).unwrap()
    }

    /// `stats` of `w`'s subscription read at `now`: its p50 and p99.
    async fn percentiles(w: &World, now: OffsetDateTime) -> (Option<u64>, Option<u64>) {
        let ports = Ports {
            store: w.ports.store.clone(),
            clock: Arc::new(ManualClock::new(now)),
        };
        let s = stats::get(&ports, &w.owner, &w.id).await.unwrap();
        (s.latency_p50_in_milliseconds, s.latency_p99_in_milliseconds)
    }

    pub async fn latency_percentiles_merge_every_flush_of_the_last_hour_and_then_expire(
        store: Arc<dyn Store>,
    ) {
        let w = world(store);
        let subscription = subscribe(&w).await;
        let t0 = start();
        assert_eq!(
            percentiles(&w, t0).await,
            (None, None),
            "nothing delivered yet"
        );

        let fast = Stats::default();
        for _ in 0..9 {
            fast.delivered(&subscription, 10, t0 - Duration::milliseconds(40), t0);
        }
        let slow = Stats::default();
        let later = t0 + Duration::minutes(1);
        slow.delivered(&subscription, 10, later - Duration::seconds(12), later);
        fast.flush(&w.ports).await.unwrap();
        slow.flush(&w.ports).await.unwrap();

        // 90 events in (20, 50] ms and 10 in (10, 20] s: the 50th is 5/9 into the first
        // bucket, the 99th 9/10 into the second.
        let expected = (Some(37), Some(19_000));
        assert_eq!(percentiles(&w, t0 + Duration::minutes(5)).await, expected);
        assert_eq!(
            percentiles(&w, t0 + Duration::minutes(64)).await,
            expected,
            "the window of an hour ago still counts"
        );
        assert_eq!(
            percentiles(&w, t0 + Duration::minutes(66)).await,
            (None, None),
            "an hour after the window ended nothing is left"
        );
        let shown = stats::get(&w.ports, &w.owner, &w.id).await.unwrap();
        assert_eq!(
            shown.delivered_events, 100,
            "the counts are unchanged by it"
        );
    }

    pub async fn a_flush_with_deliveries_writes_the_counts_and_the_latency_window_without_a_read(
        store: Arc<dyn Store>,
    ) {
        let w = world(store.clone());
        let subscription = subscribe(&w).await;
        let counting = Arc::new(Counting {
            inner: store,
            reads: AtomicUsize::new(0),
            writes: AtomicUsize::new(0),
        });
        let ports = Ports {
            store: counting.clone(),
            clock: w.ports.clock.clone(),
        };
        let t0 = start();
        let first = Stats::default();
        first.delivered(&subscription, 3, t0, t0);
        first.flush(&ports).await.unwrap();
        counting.writes.store(0, Ordering::SeqCst);

        let next = Stats::default();
        next.delivered(&subscription, 5, t0, t0 + Duration::seconds(30));
        next.failed(
            &subscription,
            LastError {
                outcome: "Busy".into(),
                http_status_code: 503,
                time_utc: t0,
            },
        );
        next.dead_lettered(&subscription, 1);
        next.flush(&ports).await.unwrap();
        assert_eq!(
            counting.writes.load(Ordering::SeqCst),
            2,
            "one atomic add to the counts, one to the window's latency"
        );
        assert_eq!(counting.reads.load(Ordering::SeqCst), 0, "no read to add");

        let failed_only = Stats::default();
        failed_only.dead_lettered(&subscription, 1);
        counting.writes.store(0, Ordering::SeqCst);
        failed_only.flush(&ports).await.unwrap();
        assert_eq!(
            counting.writes.load(Ordering::SeqCst),
            1,
            "no latency write without deliveries"
        );
        let (p50, _) = percentiles(&w, t0 + Duration::minutes(1)).await;
        assert!(p50.is_some());
    }
}
