//! The platform events outbox on the embedded store: relays running at once send each event
//! once, and an event whose relay failed is sent by a later one (nothing lost).

use std::sync::Arc;
use std::time::Duration;

use infra::embedded::{EmbeddedQueue, EmbeddedStore};
use serde_json::json;
use shared::ports::{ManualClock, Ports, Queue, Received};
use shared::usecases::platform_events::{event, record, relay, system_topic};

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

#[tokio::test]
async fn relays_at_once_send_each_event_once_and_a_failed_relay_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
    let ports = Ports {
        store: Arc::new(EmbeddedStore::open(dir.path()).unwrap()),
        clock: clock.clone(),
    };
    let queue = EmbeddedQueue::open_with_clock(dir.path(), "outbox-test", clock.clone()).unwrap();

    recorded(&ports, 25).await;
    let (a, b) = tokio::join!(
        relay(&ports, &queue, usize::MAX),
        relay(&ports, &queue, usize::MAX)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 25);
    assert_eq!(received(&queue).await, 25, "no event sent twice");

    recorded(&ports, 3).await;
    assert!(relay(&ports, &Broken, usize::MAX).await.is_err());
    assert_eq!(
        relay(&ports, &queue, usize::MAX).await.unwrap(),
        0,
        "claimed for a minute"
    );
    clock.advance(time::Duration::seconds(61));
    assert_eq!(
        relay(&ports, &queue, 2).await.unwrap(),
        2,
        "at most the limit"
    );
    assert_eq!(relay(&ports, &queue, usize::MAX).await.unwrap(), 1);
    assert_eq!(received(&queue).await, 3);
}
