//! An activated partner topic for delivery tests: publish to it, subscribe to it, read its
//! subscriptions' dead letters.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{Client, Server, Tenants};

/// A partner topic `orders-topic` (source `fabrikam/orders`), activated, with what a
/// publisher needs.
pub struct ActiveTopic {
    pub tenants: Tenants,
    pub endpoint: String,
    pub key: String,
    http: reqwest::Client,
}

impl ActiveTopic {
    pub async fn new(server: &Server) -> Self {
        Self::with_operator(&server.operator()).await
    }

    /// The same through `operator`, a client of any deployment.
    pub async fn with_operator(operator: &Client) -> Self {
        let t = Tenants::with_operator(operator, "SourceEventAttribute").await;
        let (status, body) = t
            .partner
            .put(
                &t.channel("orders"),
                t.channel_body("orders-topic", "fabrikam/orders"),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, body) = t
            .customer
            .post(&format!("{}/activate", t.topic("orders-topic")), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, ns) = t.partner.get(&t.namespace).await;
        let (_, keys) = t
            .partner
            .post(&format!("{}/listKeys", t.namespace), json!({}))
            .await;
        Self {
            endpoint: ns["properties"]["endpoint"].as_str().unwrap().to_owned(),
            key: keys["key1"].as_str().unwrap().to_owned(),
            tenants: t,
            http: reqwest::Client::new(),
        }
    }

    /// The path of event subscription `name` on the topic.
    pub fn subscription(&self, name: &str) -> String {
        format!(
            "{}/eventSubscriptions/{name}",
            self.tenants.topic("orders-topic")
        )
    }

    /// Creates event subscription `name` with these `properties`; panics unless 201.
    pub async fn subscribe(&self, name: &str, properties: Value) -> String {
        let path = self.subscription(name);
        let (status, body) = self
            .tenants
            .customer
            .put(&path, json!({ "properties": properties }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        path
    }

    /// Publishes `events` (a JSON array) as a batch; panics unless 200.
    pub async fn publish(&self, events: &Value) {
        let (status, body) = self.publish_with(&self.key, events).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    /// Publishes `events` as a batch with `key`; the status and the body (`null` if not JSON).
    pub async fn publish_with(&self, key: &str, events: &Value) -> (StatusCode, Value) {
        let response = self
            .http
            .post(&self.endpoint)
            .header("aeg-sas-key", key)
            .header(
                "content-type",
                "application/cloudevents-batch+json; charset=utf-8",
            )
            .body(events.to_string())
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

/// A CloudEvent from the topic's source.
pub fn order_event(id: &str, kind: &str, data: Value) -> Value {
    json!({"specversion": "1.0", "id": id, "source": "fabrikam/orders", "type": kind, "subject": format!("orders/{id}"), "data": data})
}

/// A WebHook destination.
pub fn webhook(url: &str) -> Value {
    json!({"endpointType": "WebHook", "properties": {"endpointUrl": url}})
}

impl ActiveTopic {
    /// The first page of `subscription`'s dead letters.
    pub async fn dead_letters(&self, subscription: &str) -> Vec<Value> {
        let (status, body) = self
            .tenants
            .customer
            .get(&format!("{subscription}/deadLetters"))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["value"].as_array().unwrap().clone()
    }

    /// Waits (up to 10 s) until `subscription` has at least `count` dead letters.
    pub async fn wait_for_dead_letters(&self, subscription: &str, count: usize) -> Vec<Value> {
        for _ in 0..200 {
            let got = self.dead_letters(subscription).await;
            if got.len() >= count {
                return got;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("{subscription} has fewer than {count} dead letters");
    }
}

/// The sorted `id`s of `events`.
pub fn ids(events: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = events
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}
