//! A record whose delivery tasks fail to send on one batch is received again and redelivers
//! only that batch.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::json;
use shared::ports::{Ports, Queue, Store, SystemClock};
use shared::usecases::flows::deliveries::Deliveries;

use crate::{TOPIC, published_at, queue_url, receive, receiver, sqs, store, subscribe};

/// A queue whose first `failures` sends fail, as a throttled SQS does.
struct FailingSends {
    inner: infra::sqs::SqsQueue,
    failures: AtomicU32,
}

#[async_trait::async_trait]
impl Queue for FailingSends {
    async fn send(
        &self,
        bodies: Vec<String>,
        delay: std::time::Duration,
    ) -> shared::error::Result<()> {
        if self
            .failures
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return Err(shared::error::Error::transient(
                "injected: SendMessageBatch throttled",
            ));
        }
        self.inner.send(bodies, delay).await
    }

    async fn receive(
        &self,
        max: usize,
        visibility: std::time::Duration,
        wait: std::time::Duration,
    ) -> shared::error::Result<Vec<shared::ports::Received>> {
        self.inner.receive(max, visibility, wait).await
    }

    async fn ack(&self, receipts: &[String]) -> shared::error::Result<()> {
        self.inner.ack(receipts).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_that_fails_on_one_batch_redelivers_only_that_batch_when_received_again() {
    let client = sqs();
    let run = uuid::Uuid::new_v4().simple().to_string();
    let fanout_name = format!("fanout-{run}");
    let fanout = infra::sqs::SqsQueue::create_if_missing(client.clone(), &fanout_name, 5)
        .await
        .unwrap();
    let delivery =
        infra::sqs::SqsQueue::create_if_missing(client.clone(), &format!("delivery-{run}"), 5)
            .await
            .unwrap();
    let store = Arc::new(store().await);
    let ports = Ports {
        store: store.clone(),
        clock: Arc::new(SystemClock),
    };
    let (hooks, counts) = receiver().await;
    subscribe(&ports, "good", &format!("{hooks}/ok")).await;
    subscribe(&ports, "bad", &format!("{hooks}/fail")).await;
    let deliveries = Deliveries::new(
        ports.clone(),
        Arc::new(FailingSends {
            inner: delivery,
            failures: AtomicU32::new(1),
        }),
        shared::ports::Destinations::webhooks(Arc::new(
            infra::webhook::HttpWebhooks::new(infra::webhook::AllowedNetworks::all()).unwrap(),
        )),
        Arc::new(|| 0.5),
    );
    let message_id = uuid::Uuid::new_v4().simple().to_string();
    let event = |subject: &str| json!({"specversion": "1.0", "id": subject, "source": "s", "type": "t", "subject": subject});
    let message = json!({"topic": TOPIC, "publishedAt": published_at(), "generation": 1,
        "id": message_id, "events": [event("good-1"), event("good-2"), event("bad-1"), event("good-3")]});
    fanout
        .send(vec![message.to_string()], std::time::Duration::ZERO)
        .await
        .unwrap();
    let fanout_url = queue_url(&client, &fanout_name).await;

    let first = receive(&client, &fanout_url, 1).await;
    assert_eq!(first.records.len(), 1);
    let response = fanout::handle_sqs(&deliveries, first, None).await;
    assert_eq!(
        response.batch_item_failures.len(),
        1,
        "the retry could not be queued"
    );
    assert_eq!(
        counts.lock().unwrap().clone(),
        HashMap::from([("ok".into(), 3), ("fail".into(), 1)])
    );
    let progress = shared::table::fanout_progress(&message_id);
    assert!(
        store.get(&progress).await.unwrap().is_some(),
        "what settled was written"
    );

    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let again = receive(&client, &fanout_url, 30).await;
    assert_eq!(again.records.len(), 1);
    assert_eq!(
        again.records[0]
            .attributes
            .get("ApproximateReceiveCount")
            .map(String::as_str),
        Some("2")
    );
    let response = fanout::handle_sqs(&deliveries, again.clone(), None).await;
    assert!(response.batch_item_failures.is_empty());
    assert_eq!(
        counts.lock().unwrap().clone(),
        HashMap::from([("ok".into(), 3), ("fail".into(), 2)]),
        "only the batch that had not settled was attempted again"
    );
    assert!(
        store.get(&progress).await.unwrap().is_none(),
        "the record goes with the message"
    );
}
