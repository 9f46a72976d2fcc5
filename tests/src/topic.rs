//! What partner and customer topics have in common for a test: a path its owner manages, event
//! subscriptions on it and their dead letters, and a publish endpoint.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::receiver::Receiver;
use crate::{Answer, Client, Publisher, webhook};

/// A topic, its owner, and a publisher to its endpoint.
pub struct Topic {
    pub owner: Client,
    pub path: String,
    pub publisher: Publisher,
}

impl Topic {
    /// The path of event subscription `name` on the topic.
    pub fn subscription(&self, name: &str) -> String {
        format!("{}/eventSubscriptions/{name}", self.path)
    }

    /// Creates event subscription `name` with these `properties`; asserts 201; its path.
    pub async fn subscribe(&self, name: &str, properties: Value) -> String {
        let path = self.subscription(name);
        self.owner
            .put(&path, json!({ "properties": properties }))
            .await
            .expect_status(StatusCode::CREATED);
        path
    }

    /// Subscribes `receiver`'s endpoint `name` as event subscription `name`; asserts 201; its
    /// path.
    pub async fn subscribe_receiver(&self, receiver: &Receiver, name: &str) -> String {
        self.subscribe(name, json!({"destination": webhook(&receiver.url(name))}))
            .await
    }

    /// Publishes `events` (a JSON array) as a batch with `key`; the status and the answer.
    pub async fn publish_with(&self, key: &str, events: &Value) -> (StatusCode, Value) {
        self.publisher.send(("aeg-sas-key", key), events).await
    }

    /// The first page of `subscription`'s dead letters; asserts 200.
    pub async fn dead_letters(&self, subscription: &str) -> Vec<Value> {
        let body = self
            .owner
            .get(&format!("{subscription}/deadLetters"))
            .await
            .expect_status(StatusCode::OK);
        body["value"].as_array().unwrap().clone()
    }

    /// Waits (up to 5 s) until `subscription`'s counts show `failed` failed attempts: the
    /// server has decided what follows them (read its clock), so the test may move it on.
    pub async fn wait_for_failures(&self, subscription: &str, failed: u64) {
        for _ in 0..100 {
            let (_, stats) = self
                .owner
                .get(&format!("{subscription}/deliveryStats"))
                .await;
            if stats["failedAttempts"].as_u64().unwrap_or(0) >= failed {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{subscription} never recorded {failed} failed attempts");
    }

    /// Waits (up to 10 s) until `subscription` has at least `count` dead letters.
    pub async fn wait_for_dead_letters(&self, subscription: &str, count: usize) -> Vec<Value> {
        for _ in 0..200 {
            let got = self.dead_letters(subscription).await;
            if got.len() >= count {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{subscription} has fewer than {count} dead letters");
    }
}
