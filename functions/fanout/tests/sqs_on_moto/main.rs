//! The fan-out Lambda handler as SQS invokes it, on DynamoDB and SQS in moto: partial batch
//! failures name exactly the records that failed, a failed delivery becomes a delayed task on
//! the delivery queue, and a poison message ends in the DLQ after its max receive count.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod emf;
mod partial_failures;
mod redelivery;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use serde_json::json;
use shared::ports::Ports;

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
