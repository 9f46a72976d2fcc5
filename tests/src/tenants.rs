//! The two tenants most tests need: a partner with a registration and a namespace, and a
//! customer whose partner configuration authorizes it.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{Client, Server, eg, new_subscription};

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
        let registration = format!(
            "{}/partnerRegistrations/reg-{}",
            eg(&partner_sub, "partner-rg"),
            &partner_sub[..8]
        );
        let (status, _) = partner.put(&registration, json!({})).await;
        assert_eq!(status, StatusCode::OK);
        let namespace = format!(
            "{}/partnerNamespaces/ns-{}",
            eg(&partner_sub, "partner-rg"),
            &partner_sub[..8]
        );
        let (status, body) = partner
            .put(
                &namespace,
                json!({"location": "global", "properties": {
                    "partnerRegistrationFullyQualifiedId": registration,
                    "partnerTopicRoutingMode": routing_mode
                }}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let config = format!(
            "{}/partnerConfigurations/default",
            eg(&customer_sub, "customer-rg")
        );
        let (status, _) = customer.put(&config, json!({})).await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, body) = customer
            .post(
                &format!("{config}/authorizePartner"),
                json!({"partnerName": format!("reg-{}", &partner_sub[..8])}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        Self {
            partner,
            customer,
            partner_sub,
            customer_sub,
            namespace,
            config,
        }
    }

    pub fn channel(&self, name: &str) -> String {
        format!("{}/channels/{name}", self.namespace)
    }

    pub fn topic(&self, name: &str) -> String {
        format!(
            "{}/partnerTopics/{name}",
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
}
