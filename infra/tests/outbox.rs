//! The platform events outbox on the embedded store: relays running at once send each event
//! once, and an event whose relay failed is sent by a later one (nothing lost).

use std::sync::Arc;
use std::time::Duration;

use infra::embedded::{EmbeddedQueue, EmbeddedStore};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};

use shared::ports::{Item, Key, ManualClock, Page, Ports, Queue, Received, Store, Write};
use shared::usecases::flows::relay::{RELAY_NOW, relay, relay_recent};
use shared::usecases::support::platform_events::{SHARDS, event, record, system_topic};

struct Broken;

#[async_trait::async_trait]
impl Queue for Broken {
    async fn send(&self, _: Vec<String>, _: Duration) -> shared::Result<()> {
        Err(shared::Error::transient("the queue is down"))
    }
    async fn receive(&self, _: usize, _: Duration, _: Duration) -> shared::Result<Vec<Received>> {
        Ok(Vec::new())
    }
    async fn ack(&self, _: &[String]) -> shared::Result<()> {
        Ok(())
    }
}

async fn recorded(ports: &Ports, count: usize) {
    let sub = shared::ids::SubscriptionId(uuid::Uuid::new_v4());
    let subject = system_topic(sub).unwrap();
    for i in 0..count {
        let e = event(
            sub,
            "PartnerEvents.Test",
            &subject,
            json!({"n": i}),
            ports.clock.now(),
        )
        .unwrap();
        ports
            .store
            .write(vec![record(ports, &e).unwrap()])
            .await
            .unwrap();
    }
}

async fn received(queue: &EmbeddedQueue) -> usize {
    let mut n = 0;
    loop {
        let got = queue
            .receive(10, Duration::from_secs(60), Duration::ZERO)
            .await
            .unwrap();
        if got.is_empty() {
            return n;
        }
        n += got.len();
        let receipts: Vec<String> = got.into_iter().map(|m| m.receipt).collect();
        queue.ack(&receipts).await.unwrap();
    }
}

/// An embedded store and queue on a fresh directory, with a manual clock.
fn setup() -> (tempfile::TempDir, Arc<ManualClock>, Ports, EmbeddedQueue) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
    let ports = Ports {
        store: Arc::new(EmbeddedStore::open(dir.path()).unwrap()),
        clock: clock.clone(),
    };
    let queue = EmbeddedQueue::open_with_clock(dir.path(), "outbox-test", clock.clone()).unwrap();
    (dir, clock, ports, queue)
}

#[tokio::test]
async fn relays_at_once_send_each_event_once_and_a_failed_relay_loses_nothing() {
    let (_dir, clock, ports, queue) = setup();

    recorded(&ports, 25).await;
    let (a, b) = tokio::join!(
        relay(&ports, &queue, usize::MAX),
        relay(&ports, &queue, usize::MAX)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 25);
    assert_eq!(received(&queue).await, 25, "no event sent twice");

    recorded(&ports, 3).await;
    assert!(relay(&ports, &Broken, usize::MAX).await.is_err());
    let unclaimed = relay(&ports, &queue, usize::MAX).await.unwrap();
    assert!(
        unclaimed < 3,
        "what the failed relay claimed waits a minute"
    );
    clock.advance(time::Duration::seconds(61));
    assert_eq!(
        relay(&ports, &queue, usize::MAX).await.unwrap(),
        3 - unclaimed
    );
    recorded(&ports, 3).await;
    assert_eq!(
        relay(&ports, &queue, 2).await.unwrap(),
        2,
        "at most the limit"
    );
    assert_eq!(relay(&ports, &queue, usize::MAX).await.unwrap(), 1);
    assert_eq!(received(&queue).await, 6);
}

/// A store that counts the items its queries return.
struct Counting {
    inner: Arc<dyn Store>,
    read: AtomicUsize,
}

#[async_trait::async_trait]
impl Store for Counting {
    async fn get(&self, key: &Key) -> shared::Result<Option<Item>> {
        self.inner.get(key).await
    }
    async fn write(&self, writes: Vec<Write>) -> shared::Result<()> {
        self.inner.write(writes).await
    }
    async fn query(&self, p: &str, s: &str, a: Option<&str>, l: usize) -> shared::Result<Page> {
        let page = self.inner.query(p, s, a, l).await?;
        self.read.fetch_add(page.items.len(), Ordering::SeqCst);
        Ok(page)
    }
}

#[tokio::test]
async fn one_tenants_events_spread_over_every_shard_of_the_outbox() {
    let ports = Ports {
        store: Arc::new(EmbeddedStore::open(tempfile::tempdir().unwrap().path()).unwrap()),
        clock: Arc::new(ManualClock::new(time::OffsetDateTime::now_utc())),
    };
    let sub = shared::ids::SubscriptionId(uuid::Uuid::new_v4());
    let subject = system_topic(sub).unwrap();
    let partitions: std::collections::HashSet<String> = (0..640)
        .map(|i| {
            let e = event(
                sub,
                "PartnerEvents.Test",
                &subject,
                json!({"n": i}),
                ports.clock.now(),
            );
            record(&ports, &e.unwrap()).unwrap().key().partition.clone()
        })
        .collect();
    assert_eq!(partitions.len(), SHARDS as usize, "{partitions:?}");
}

#[tokio::test]
async fn a_relay_right_after_a_change_reads_a_bounded_number_of_items_of_the_shards_it_recorded_in()
{
    let (_dir, clock, ports, queue) = setup();
    let store = ports.store.clone();
    recorded(&ports, 640).await;
    while relay(&ports, &Broken, usize::MAX).await.is_err() {}
    assert_eq!(
        relay_recent(&ports, &queue).await.unwrap(),
        0,
        "all claimed"
    );

    tokio::time::sleep(Duration::from_millis(2100)).await;
    recorded(&ports, 1).await;
    let counting = Arc::new(Counting {
        inner: store,
        read: AtomicUsize::new(0),
    });
    let counted = Ports {
        store: counting.clone(),
        clock: clock.clone(),
    };
    let now = relay_recent(&counted, &queue).await.unwrap();
    let read = counting.read.load(Ordering::SeqCst);
    assert!(read <= RELAY_NOW, "read {read} of a backlog of 641");

    clock.advance(time::Duration::seconds(61));
    let later = relay(&ports, &queue, usize::MAX).await.unwrap();
    assert_eq!(now + later, 641);
    assert_eq!(received(&queue).await, 641, "nothing lost");
}

#[tokio::test]
async fn events_left_in_the_outbox_from_before_it_had_shards_are_relayed_by_the_sweeper() {
    let (_dir, _, ports, queue) = setup();
    let sub = shared::ids::SubscriptionId(uuid::Uuid::new_v4());
    let topic = system_topic(sub).unwrap().to_string();
    let published = shared::time_format::rfc3339(ports.clock.now());
    let entry =
        json!({"message": {"topic": topic, "publishedAt": published, "events": [{"id": "old"}]}});
    ports
        .store
        .put(
            Key::new("platformEventsOutbox", "00000000000000000001#old"),
            entry.to_string(),
            shared::ports::Expect::Absent,
        )
        .await
        .unwrap();
    assert_eq!(relay(&ports, &queue, usize::MAX).await.unwrap(), 1);
    assert_eq!(received(&queue).await, 1);
}
