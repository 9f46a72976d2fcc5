//! The fan-out Lambda handler as SQS invokes it, on DynamoDB and SQS in moto: partial batch
//! failures name exactly the records that failed, a failed delivery becomes a delayed task on
//! the delivery queue, and a poison message ends in the DLQ after its max receive count.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use serde_json::json;
use shared::ports::{Ports, Queue, Store, SystemClock};
use shared::usecases::flows::deliveries::Deliveries;

fn endpoint() -> String {
    std::env::var("PARTNER_EVENTS_TEST_AWS_ENDPOINT").unwrap_or_else(|_| {
        panic!("set PARTNER_EVENTS_TEST_AWS_ENDPOINT or run the README's test command, which starts moto")
    })
}

fn sqs() -> aws_sdk_sqs::Client {
    use aws_sdk_sqs::config::{BehaviorVersion, Builder, Credentials, Region};
    aws_sdk_sqs::Client::from_conf(
        Builder::new()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(endpoint())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("test", "test", None, None, "test"))
            .build(),
    )
}

async fn store() -> infra::dynamo::DynamoStore {
    use aws_sdk_dynamodb::config::{BehaviorVersion, Builder, Credentials, Region};
    let client = aws_sdk_dynamodb::Client::from_conf(
        Builder::new()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(endpoint())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("test", "test", None, None, "test"))
            .build(),
    );
    let store = infra::dynamo::DynamoStore::new(client, format!("fanout-{}", uuid::Uuid::new_v4()));
    store.create_table_if_missing().await.unwrap();
    store
}

/// A webhook receiver: `/ok` answers 200, anything else 500; counts requests per path.
async fn receiver() -> (String, Arc<Mutex<HashMap<String, u32>>>) {
    let counts = Arc::new(Mutex::new(HashMap::new()));
    let seen = counts.clone();
    let app = axum::Router::new().route(
        "/{mode}",
        axum::routing::post(
            move |axum::extract::Path(mode): axum::extract::Path<String>| {
                let seen = seen.clone();
                async move {
                    *seen.lock().unwrap().entry(mode.clone()).or_default() += 1;
                    if mode == "ok" {
                        axum::http::StatusCode::OK
                    } else {
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR
                    }
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, counts)
}

const TOPIC: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.EventGrid/partnerTopics/orders";

async fn subscribe(ports: &Ports, name: &str, url: &str) {
    let subscription: shared::subscriptions::EventSubscription = serde_json::from_value(json!({
        "id": format!("{TOPIC}/eventSubscriptions/{name}"),
        "destination": {"endpointType": "WebHook", "properties": {"endpointUrl": url}},
        "filter": {"subjectBeginsWith": name},
        "labels": [],
        "retryPolicy": {"maxDeliveryAttempts": 30, "eventTimeToLiveInMinutes": 1440}
    }))
    .unwrap();
    let key = shared::table::resource_key(&subscription.id);
    ports
        .store
        .write(vec![
            shared::table::put(key, &subscription, shared::ports::Expect::Absent).unwrap(),
        ])
        .await
        .unwrap();
}

/// Now, as the ingest stamps it: the delivery rules measure the TTL from it with the system clock.
fn published_at() -> String {
    shared::time_format::rfc3339(time::OffsetDateTime::now_utc())
}

fn fanout_message(subject: &str) -> String {
    json!({"topic": TOPIC, "publishedAt": published_at(), "events": [
        {"specversion": "1.0", "id": subject, "source": "s", "type": "t", "subject": subject}
    ]})
    .to_string()
}

async fn receive(client: &aws_sdk_sqs::Client, url: &str, visibility: i32) -> SqsEvent {
    let got = client
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(10)
        .visibility_timeout(visibility)
        .wait_time_seconds(1)
        .message_system_attribute_names(
            aws_sdk_sqs::types::MessageSystemAttributeName::ApproximateReceiveCount,
        )
        .send()
        .await
        .unwrap();
    let mut event = SqsEvent::default();
    event.records = got
        .messages()
        .iter()
        .map(|m| {
            let mut record = SqsMessage::default();
            record.message_id = m.message_id().map(str::to_owned);
            record.receipt_handle = m.receipt_handle().map(str::to_owned);
            record.body = m.body().map(str::to_owned);
            if let Some(count) = m.attributes().and_then(|a| {
                a.get(&aws_sdk_sqs::types::MessageSystemAttributeName::ApproximateReceiveCount)
            }) {
                record
                    .attributes
                    .insert("ApproximateReceiveCount".into(), count.clone());
            }
            record
        })
        .collect();
    event
}

async fn delete(client: &aws_sdk_sqs::Client, url: &str, event: &SqsEvent, except: &[String]) {
    for record in &event.records {
        if !except.contains(record.message_id.as_ref().unwrap()) {
            client
                .delete_message()
                .queue_url(url)
                .receipt_handle(record.receipt_handle.clone().unwrap())
                .send()
                .await
                .unwrap();
        }
    }
}

async fn queue_url(client: &aws_sdk_sqs::Client, name: &str) -> String {
    client
        .get_queue_url()
        .queue_name(name)
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_batch_failures_name_exactly_the_failed_records_and_poison_ends_in_the_dlq() {
    let client = sqs();
    let run = uuid::Uuid::new_v4().simple().to_string();
    let fanout_name = format!("fanout-{run}");
    let fanout = infra::sqs::SqsQueue::create_if_missing(client.clone(), &fanout_name, 2)
        .await
        .unwrap();
    let delivery_name = format!("delivery-{run}");
    let delivery = infra::sqs::SqsQueue::create_if_missing(client.clone(), &delivery_name, 2)
        .await
        .unwrap();
    let ports = Ports {
        store: Arc::new(store().await),
        clock: Arc::new(SystemClock),
    };
    let (hooks, _) = receiver().await;
    subscribe(&ports, "good", &format!("{hooks}/ok")).await;
    subscribe(&ports, "bad", &format!("{hooks}/fail")).await;
    let deliveries = Deliveries::new(
        ports,
        Arc::new(delivery),
        Arc::new(
            infra::webhook::HttpWebhooks::new(infra::webhook::AllowedNetworks::all()).unwrap(),
        ),
        Arc::new(|| 0.5),
    );

    fanout
        .send(
            vec![
                fanout_message("good-1"),
                "this is not a queue message".into(),
                fanout_message("bad-1"),
                json!({"topic": TOPIC, "publishedAt": published_at(), "payload": "missing"})
                    .to_string(),
            ],
            std::time::Duration::ZERO,
        )
        .await
        .unwrap();
    let fanout_url = queue_url(&client, &fanout_name).await;
    let event = receive(&client, &fanout_url, 1).await;
    assert_eq!(
        event.records.len(),
        4,
        "moto returned every message at once"
    );
    let by_body = |needle: &str| {
        event
            .records
            .iter()
            .find(|r| r.body.as_deref().unwrap().contains(needle))
            .and_then(|r| r.message_id.clone())
            .unwrap()
    };
    let expected = {
        let mut ids = vec![by_body("not a queue message"), by_body("missing")];
        ids.sort();
        ids
    };
    let response = fanout::handle_sqs(&deliveries, event.clone(), None).await;
    let mut failed: Vec<String> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone())
        .collect();
    failed.sort();
    assert_eq!(failed, expected);
    delete(&client, &fanout_url, &event, &failed).await;

    let delivery_url = queue_url(&client, &delivery_name).await;
    let attributes = client
        .get_queue_attributes()
        .queue_url(&delivery_url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesDelayed)
        .send()
        .await
        .unwrap();
    let delayed = attributes
        .attributes()
        .and_then(|a| {
            a.get(&aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesDelayed)
        })
        .cloned();
    assert_eq!(
        delayed.as_deref(),
        Some("1"),
        "the failed delivery waits as a delayed task"
    );

    let mut receives = 1;
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let event = receive(&client, &fanout_url, 1).await;
        if event.records.is_empty() {
            break;
        }
        receives += 1;
        assert!(receives <= 3, "the poison messages never left the queue");
        let response = fanout::handle_sqs(&deliveries, event.clone(), None).await;
        assert_eq!(response.batch_item_failures.len(), event.records.len());
    }
    let dlq_url = queue_url(&client, &format!("{fanout_name}-dlq")).await;
    let dead = receive(&client, &dlq_url, 30).await;
    let mut bodies: Vec<String> = dead
        .records
        .iter()
        .map(|r| r.body.clone().unwrap())
        .collect();
    bodies.sort();
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    assert!(bodies.iter().any(|b| b == "this is not a queue message"));
}

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
        Arc::new(
            infra::webhook::HttpWebhooks::new(infra::webhook::AllowedNetworks::all()).unwrap(),
        ),
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
