//! A customer topic for tests: created by a fresh principal, published to with a key or token.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{Client, Server, eg, new_subscription};

pub struct CustomerTopic {
    pub owner: Client,
    pub path: String,
    pub endpoint: String,
}

impl CustomerTopic {
    /// Topic `name` in resource group `contoso-rg` of a new principal's subscription.
    pub async fn create(server: &Server, name: &str) -> Self {
        let sub = new_subscription();
        let owner = server.principal(&format!("owner-{sub}"), &[&sub]).await;
        Self::create_as(owner, &sub, name).await
    }

    /// Topic `name` in `contoso-rg` of `sub`, owned by `owner`.
    pub async fn create_as(owner: Client, sub: &str, name: &str) -> Self {
        let path = format!("{}/topics/{name}", eg(sub, "contoso-rg"));
        let (status, body) = owner
            .put(
                &path,
                json!({"location": "westus2", "properties": {"inputSchema": "CloudEventSchemaV1_0"}}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        Self {
            endpoint: body["properties"]["endpoint"].as_str().unwrap().to_owned(),
            owner,
            path,
        }
    }

    pub async fn keys(&self) -> Value {
        let (status, keys) = self
            .owner
            .post(&format!("{}/listKeys", self.path), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{keys}");
        keys
    }

    /// Publishes `events` (an array) with one credential header; the status and body.
    pub async fn publish(&self, header: (&str, &str), events: &Value) -> (StatusCode, String) {
        let response = reqwest::Client::new()
            .post(&self.endpoint)
            .header(header.0, header.1)
            .header(
                "content-type",
                "application/cloudevents-batch+json; charset=utf-8",
            )
            .body(events.to_string())
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }

    /// Publishes with key1; panics unless 200.
    pub async fn publish_ok(&self, events: &Value) {
        let keys = self.keys().await;
        let (status, text) = self
            .publish(("aeg-sas-key", keys["key1"].as_str().unwrap()), events)
            .await;
        assert_eq!(status, StatusCode::OK, "{text}");
    }

    /// Waits (up to 10 s) for subscription `name`'s first `count` dead letters.
    pub async fn dead_letters(&self, name: &str, count: usize) -> Vec<Value> {
        let path = format!("{}/eventSubscriptions/{name}/deadLetters", self.path);
        for _ in 0..200 {
            let (_, body) = self.owner.get(&path).await;
            let letters = body["value"].as_array().cloned().unwrap_or_default();
            if letters.len() >= count {
                return letters;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no {count} dead letters for {name}");
    }
}

/// A CloudEvent from the customer's own source.
pub fn contoso_event(id: &str) -> Value {
    json!({"specversion": "1.0", "id": id, "source": "contoso/orders", "type": "Contoso.Order", "data": {"id": id}})
}
