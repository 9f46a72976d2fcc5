//! The two tenants most tests need: a partner with a registration and a namespace, and a
//! customer whose partner configuration authorizes it; and what they set up between them
//! (channels, partner topics and destinations, activation), each call asserting its status.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{Answer, Client, Publisher, Server, eg, new_subscription};

/// A partner and a customer, each with its own principal and subscription; the partner has a
/// registration and a namespace, the customer a partner configuration that authorizes it.
pub struct Tenants {
    pub partner: Client,
    pub customer: Client,
    pub partner_sub: String,
    pub customer_sub: String,
    pub namespace: String,
    pub config: String,
}

impl Tenants {
    /// Both tenants on `server`, the namespace in `routing_mode` (`SourceEventAttribute` or
    /// `ChannelNameHeader`).
    pub async fn new(server: &Server, routing_mode: &str) -> Self {
        Self::with_operator(&server.operator(), routing_mode).await
    }

    /// The same through `operator`, a client of any deployment (e.g. the serverless one).
    pub async fn with_operator(operator: &Client, routing_mode: &str) -> Self {
        let (partner_sub, customer_sub) = (new_subscription(), new_subscription());
        let partner = operator
            .principal(&format!("partner-{partner_sub}"), &[&partner_sub])
            .await;
        let customer = operator
            .principal(&format!("customer-{customer_sub}"), &[&customer_sub])
            .await;
        let registration = partner
            .registration(&partner_sub, "partner-rg", &partner_name(&partner_sub))
            .await;
        let namespace = format!(
            "{}/partnerNamespaces/ns-{}",
            eg(&partner_sub, "partner-rg"),
            &partner_sub[..8]
        );
        partner
            .put(
                &namespace,
                json!({"location": "global", "properties": {
                    "partnerRegistrationFullyQualifiedId": registration["id"],
                    "partnerTopicRoutingMode": routing_mode
                }}),
            )
            .await
            .expect_status(StatusCode::CREATED);
        let config = customer.configuration(&customer_sub, "customer-rg").await;
        customer
            .authorize_partner(&config, &partner_name(&partner_sub))
            .await;
        Self {
            partner,
            customer,
            partner_sub,
            customer_sub,
            namespace,
            config,
        }
    }

    /// The partner's registration name, by which the customer authorizes it.
    pub fn partner_name(&self) -> String {
        partner_name(&self.partner_sub)
    }

    /// The customer authorizes (again) the partner; asserts 200.
    pub async fn authorize(&self) {
        let name = self.partner_name();
        self.customer.authorize_partner(&self.config, &name).await;
    }

    /// The customer takes the partner off its configuration; asserts 200.
    pub async fn unauthorize(&self) {
        let name = self.partner_name();
        self.customer.unauthorize_partner(&self.config, &name).await;
    }

    /// The path of the namespace's channel `name`.
    pub fn channel(&self, name: &str) -> String {
        format!("{}/channels/{name}", self.namespace)
    }

    /// The path of the customer's partner topic `name`.
    pub fn topic(&self, name: &str) -> String {
        format!(
            "{}/partnerTopics/{name}",
            eg(&self.customer_sub, "customer-rg")
        )
    }

    /// The path of the customer's partner destination `name`.
    pub fn destination(&self, name: &str) -> String {
        format!(
            "{}/partnerDestinations/{name}",
            eg(&self.customer_sub, "customer-rg")
        )
    }

    /// The body of a PartnerTopic channel for topic `topic` with `source`.
    pub fn channel_body(&self, topic: &str, source: &str) -> Value {
        json!({"properties": {
            "channelType": "PartnerTopic",
            "messageForActivation": "Activate to receive orders",
            "partnerTopicInfo": {
                "azureSubscriptionId": self.customer_sub,
                "resourceGroupName": "customer-rg",
                "name": topic,
                "source": source,
                "eventTypeInfo": {"kind": "Inline", "inlineEventTypes": {"Order.Created": {"description": "An order was created"}}}
            }
        }})
    }

    /// The body of a PartnerDestination channel for destination `name` delivering to
    /// `endpoint` with context `fabrikam-tenant-42`.
    pub fn destination_channel_body(&self, name: &str, endpoint: &str) -> Value {
        json!({"properties": {
            "channelType": "PartnerDestination",
            "messageForActivation": "Activate to send your events to Fabrikam",
            "partnerDestinationInfo": {
                "azureSubscriptionId": self.customer_sub,
                "resourceGroupName": "customer-rg",
                "name": name,
                "endpointServiceContext": "fabrikam-tenant-42",
                "endpointType": "WebHook",
                "properties": {"endpointUrl": endpoint}
            }
        }})
    }

    /// The partner creates channel `channel` with `body`; asserts 201; the channel.
    pub async fn open_channel(&self, channel: &str, body: Value) -> Value {
        self.partner
            .put(&self.channel(channel), body)
            .await
            .expect_status(StatusCode::CREATED)
    }

    /// The partner provisions partner topic `topic` with `source` through a new channel
    /// `channel`; asserts 201; the topic's path.
    pub async fn partner_topic(&self, channel: &str, topic: &str, source: &str) -> String {
        self.open_channel(channel, self.channel_body(topic, source))
            .await;
        self.topic(topic)
    }

    /// [`Tenants::partner_topic`] `orders-topic` through channel `orders`, with source
    /// `fabrikam/orders`; the topic's path.
    pub async fn orders_topic(&self) -> String {
        self.partner_topic("orders", "orders-topic", "fabrikam/orders")
            .await
    }

    /// The customer activates `resource` (a partner topic or destination); asserts 200.
    pub async fn activate(&self, resource: &str) {
        self.customer
            .action(resource, "activate")
            .await
            .expect_status(StatusCode::OK);
    }

    /// The customer deactivates `resource` (a partner topic or destination); asserts 200.
    pub async fn deactivate(&self, resource: &str) {
        self.customer
            .action(resource, "deactivate")
            .await
            .expect_status(StatusCode::OK);
    }

    /// [`Tenants::partner_topic`], then activated by the customer; the topic's path.
    pub async fn activated_topic(&self, channel: &str, topic: &str, source: &str) -> String {
        let path = self.partner_topic(channel, topic, source).await;
        self.activate(&path).await;
        path
    }

    /// The namespace's keys (`key1`, `key2`); asserts 200.
    pub async fn keys(&self) -> Value {
        self.partner
            .action(&self.namespace, "listKeys")
            .await
            .expect_status(StatusCode::OK)
    }

    /// A publisher to the namespace's endpoint.
    pub async fn publisher(&self) -> Publisher {
        let namespace = self
            .partner
            .get(&self.namespace)
            .await
            .expect_status(StatusCode::OK);
        Publisher::new(namespace["properties"]["endpoint"].as_str().unwrap())
    }
}

fn partner_name(partner_sub: &str) -> String {
    format!("reg-{}", &partner_sub[..8])
}
