//! AWS targets end to end over HTTP, on the moto server behind a counting proxy: each target
//! kind read back from the service, retries and dead letters (listable and in S3), and who may
//! deliver where.

mod access;
mod delivery;
mod failures;
mod trace_context;

use std::sync::Arc;
use std::time::Duration;

use e2e::aws::CountingProxy;
use e2e::aws_targets::{ACCOUNT, Aws};
use e2e::{ActiveTopic, Answer, Builder, Server};
use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::ports::ManualClock;
use time::OffsetDateTime;

/// A server delivering to AWS targets through a proxy in front of moto, and an activated
/// partner topic whose owner is bound to moto's account.
struct Setup {
    server: Server,
    proxy: CountingProxy,
    aws: Aws,
    topic: ActiveTopic,
}

async fn setup() -> Setup {
    setup_on(Server::builder()).await
}

async fn setup_on(builder: Builder) -> Setup {
    let moto = e2e::aws::moto();
    let proxy = CountingProxy::start(moto.clone()).await;
    let server = builder.aws_targets(&proxy.endpoint).start().await;
    let topic = ActiveTopic::new(&server).await;
    let setup = Setup {
        server,
        proxy,
        aws: Aws::new(&moto),
        topic,
    };
    setup.bind(&[ACCOUNT]).await;
    setup
}

/// A setup on a manual clock, and the clock.
async fn setup_with_clock() -> (Setup, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
    (
        setup_on(Server::builder().clock(clock.clone())).await,
        clock,
    )
}

impl Setup {
    /// The topic owner's principal name (the external id of its roles).
    fn owner(&self) -> String {
        format!("customer-{}", self.topic.tenants.customer_sub)
    }

    /// Binds the topic owner's principal to `accounts`; asserts 200.
    async fn bind(&self, accounts: &[&str]) -> Value {
        self.server
            .operator()
            .patch(
                &format!("/admin/principals/{}", self.owner()),
                json!({"awsAccounts": accounts}),
            )
            .await
            .expect_status(StatusCode::OK)
    }

    /// Subscribes `name` with these `properties`; the answer.
    async fn try_subscribe(&self, name: &str, properties: Value) -> (StatusCode, Value) {
        self.topic
            .owner
            .put(
                &self.topic.subscription(name),
                json!({ "properties": properties }),
            )
            .await
    }

    /// Subscribes `name` to `destination`; asserts 201; its path.
    async fn subscribe(&self, name: &str, destination: Value) -> String {
        self.topic
            .subscribe(name, json!({ "destination": destination }))
            .await
    }

    /// A fresh queue (FIFO or not) and subscription `name` to it; asserts 201.
    async fn subscribe_queue(&self, name: &str, fifo: bool) -> (e2e::aws_targets::Queue, String) {
        let queue = self.aws.queue(fifo).await;
        let destination =
            e2e::aws_targets::destination("SqsQueue", json!({"resourceId": queue.arn}));
        let sub = self.subscribe(name, destination).await;
        (queue, sub)
    }

    async fn stats(&self, subscription: &str) -> Value {
        self.topic
            .owner
            .get(&format!("{subscription}/deliveryStats"))
            .await
            .expect_status(StatusCode::OK)
    }

    /// Waits (up to 20 s) until `subscription`'s counts satisfy `done`; returns them.
    async fn wait_stats(&self, subscription: &str, done: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..400 {
            let stats = self.stats(subscription).await;
            if done(&stats) {
                return stats;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{subscription}: {}", self.stats(subscription).await);
    }
}

/// The ids of the events in queue messages.
fn ids(messages: &[aws_sdk_sqs::types::Message]) -> Vec<Value> {
    messages
        .iter()
        .map(|m| serde_json::from_str::<Value>(m.body().unwrap()).unwrap()["id"].clone())
        .collect()
}

/// A CloudEvent from the topic's source.
fn event(id: &str) -> Value {
    e2e::order_event(id, "Orders.Created", json!({"n": 1.50, "text": "ünïcode"}))
}

/// An error answer's message says `text`.
trait Saying {
    fn saying(&self, text: &str);
}

impl Saying for Value {
    #[track_caller]
    fn saying(&self, text: &str) {
        let message = self["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(text), "{self}");
    }
}
