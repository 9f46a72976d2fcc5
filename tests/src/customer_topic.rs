//! A customer topic for tests: created by its owner, published to with its keys.

use std::ops::Deref;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{Answer, Client, Publisher, Server, Topic, eg, new_subscription};

/// A customer topic in resource group `contoso-rg`, owned by the principal that created it.
pub struct CustomerTopic {
    topic: Topic,
}

impl CustomerTopic {
    /// Topic `name` in resource group `contoso-rg` of a new principal's subscription.
    pub async fn create(server: &Server, name: &str) -> Self {
        let sub = new_subscription();
        let owner = server.principal(&format!("owner-{sub}"), &[&sub]).await;
        Self::create_as(owner, &sub, name).await
    }

    /// Topic `name` in `contoso-rg` of `sub`, owned by `owner`; asserts 201.
    pub async fn create_as(owner: Client, sub: &str, name: &str) -> Self {
        let path = format!("{}/topics/{name}", eg(sub, "contoso-rg"));
        let topic =
            json!({"location": "westus2", "properties": {"inputSchema": "CloudEventSchemaV1_0"}});
        let body = owner
            .put(&path, topic)
            .await
            .expect_status(StatusCode::CREATED);
        let publisher = Publisher::new(body["properties"]["endpoint"].as_str().unwrap());
        Self {
            topic: Topic {
                owner,
                path,
                publisher,
            },
        }
    }

    /// Its keys (`key1`, `key2`); asserts 200.
    pub async fn keys(&self) -> Value {
        self.owner
            .action(&self.path, "listKeys")
            .await
            .expect_status(StatusCode::OK)
    }

    /// Its key `name` (`key1` or `key2`).
    pub async fn key(&self, name: &str) -> String {
        self.keys().await[name].as_str().unwrap().to_owned()
    }

    /// Publishes `events` (a JSON array) with `key1`; asserts 200.
    pub async fn publish(&self, events: &Value) {
        let key = self.key("key1").await;
        self.publish_with(&key, events)
            .await
            .expect_status(StatusCode::OK);
    }
}

impl Deref for CustomerTopic {
    type Target = Topic;

    fn deref(&self) -> &Topic {
        &self.topic
    }
}

/// A CloudEvent from the customer's own source.
pub fn contoso_event(id: &str) -> Value {
    json!({"specversion": "1.0", "id": id, "source": "contoso/orders", "type": "Contoso.Order", "data": {"id": id}})
}
