//! An activated partner topic for delivery tests: published to through its namespace's
//! endpoint, subscribed to by its customer.

use std::ops::{Deref, DerefMut};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::receiver::Receiver;
use crate::{Answer, Builder, Client, Server, Tenants, Topic};

/// A partner topic `orders-topic` (channel `orders`, source `fabrikam/orders`), activated,
/// with what a publisher needs; its [`Topic`] is owned by the customer.
pub struct ActiveTopic {
    pub tenants: Tenants,
    /// The namespace's `key1`.
    pub key: String,
    topic: Topic,
}

impl ActiveTopic {
    /// The topic on `server`, through its operator.
    pub async fn new(server: &Server) -> Self {
        Self::with_operator(&server.operator()).await
    }

    /// The same through `operator`, a client of any deployment.
    pub async fn with_operator(operator: &Client) -> Self {
        let tenants = Tenants::with_operator(operator, "SourceEventAttribute").await;
        let path = tenants.orders_topic().await;
        tenants.activate(&path).await;
        let key = tenants.keys().await["key1"].as_str().unwrap().to_owned();
        let topic = Topic {
            owner: tenants.customer.clone(),
            path,
            publisher: tenants.publisher().await,
        };
        Self {
            tenants,
            key,
            topic,
        }
    }

    /// Publishes `events` (a JSON array) as a batch with the topic's key; asserts 200.
    pub async fn publish(&self, events: &Value) {
        self.publish_with(&self.key, events)
            .await
            .expect_status(StatusCode::OK);
    }

    /// Publishes one `Order.Created` event `id` without data; asserts 200.
    pub async fn publish_one(&self, id: &str) {
        self.publish(&json!([order_event(id, "Order.Created", json!({}))]))
            .await;
    }

    /// Regenerates the namespace's `key1`; the new one.
    pub async fn regenerate_key(&self) -> String {
        let keys = self
            .tenants
            .partner
            .post(
                &format!("{}/regenerateKey", self.tenants.namespace),
                json!({"keyName": "key1"}),
            )
            .await
            .expect_status(StatusCode::OK);
        keys["key1"].as_str().unwrap().to_owned()
    }
}

impl Deref for ActiveTopic {
    type Target = Topic;

    fn deref(&self) -> &Topic {
        &self.topic
    }
}

impl DerefMut for ActiveTopic {
    fn deref_mut(&mut self) -> &mut Topic {
        &mut self.topic
    }
}

/// A server started by `builder`, an [`ActiveTopic`] on it, and a receiver to subscribe.
pub async fn active_topic_on(builder: Builder) -> (Server, ActiveTopic, Receiver) {
    let server = builder.start().await;
    let topic = ActiveTopic::new(&server).await;
    (server, topic, Receiver::start().await)
}

/// A CloudEvent from the topic's source.
pub fn order_event(id: &str, kind: &str, data: Value) -> Value {
    json!({"specversion": "1.0", "id": id, "source": "fabrikam/orders", "type": kind, "subject": format!("orders/{id}"), "data": data})
}
