//! The management API over HTTP, as a partner and a customer call it: provisions an activated
//! partner topic for a benchmark to publish to and subscribe on.

use serde_json::{Value, json};

use crate::failure::Failure;

/// Sends `body` as JSON with `key` as the bearer token; the JSON answer (null if none), or the
/// status and text of a failure.
pub async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    key: &str,
    body: Value,
) -> Result<Value, Failure> {
    let response = http
        .request(method, url)
        .bearer_auth(key)
        .json(&body)
        .send()
        .await?;
    let status = response.status();
    let text = response.text().await?;
    if !status.is_success() {
        return Err(format!("{url}: {status} {text}").into());
    }
    Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// An activated partner topic: where to publish, with what key, and who may subscribe.
#[derive(Clone)]
pub struct Provisioned {
    /// The partner namespace's publish endpoint.
    pub endpoint: String,
    /// The namespace's key (`aeg-sas-key`).
    pub key: String,
    /// The customer's API key, which may create event subscriptions on the topic.
    pub customer_key: String,
    /// The partner topic's URL.
    pub topic: String,
}

/// One principal calling the API below one base URL with its key.
struct Caller<'a> {
    http: &'a reqwest::Client,
    base: String,
    key: &'a str,
}

impl Caller<'_> {
    async fn put(&self, path: &str, body: Value) -> Result<Value, Failure> {
        self.send(reqwest::Method::PUT, path, body).await
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value, Failure> {
        self.send(reqwest::Method::POST, path, body).await
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> Result<Value, Failure> {
        call(
            self.http,
            method,
            &format!("{}/{path}", self.base),
            self.key,
            body,
        )
        .await
    }
}

/// Provisions an activated partner topic.
pub async fn provision(
    http: &reqwest::Client,
    base: &str,
    operator: &str,
) -> Result<Provisioned, Failure> {
    let (psub, csub) = (
        uuid::Uuid::new_v4().to_string(),
        uuid::Uuid::new_v4().to_string(),
    );
    let admin = Caller {
        http,
        base: format!("{base}/admin"),
        key: operator,
    };
    let partner = admin
        .post(
            "principals",
            json!({"name": "bench-partner", "subscriptions": [psub]}),
        )
        .await?;
    let customer = admin
        .post(
            "principals",
            json!({"name": "bench-customer", "subscriptions": [csub]}),
        )
        .await?;
    let scope = |sub: &str| {
        format!("{base}/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.EventGrid")
    };
    let partner = Caller {
        http,
        base: scope(&psub),
        key: partner["key"].as_str().unwrap_or_default(),
    };
    let customer = Caller {
        http,
        base: scope(&csub),
        key: customer["key"].as_str().unwrap_or_default(),
    };
    let reg = partner.put("partnerRegistrations/bench", json!({})).await?;
    let ns = partner
        .put(
            "partnerNamespaces/bench-ns",
            json!({"properties": {"partnerRegistrationFullyQualifiedId": reg["id"]}}),
        )
        .await?;
    customer
        .put("partnerConfigurations/default", json!({}))
        .await?;
    customer
        .post(
            "partnerConfigurations/default/authorizePartner",
            json!({"partnerName": "bench"}),
        )
        .await?;
    let channel = json!({"properties": {"partnerTopicInfo": {"azureSubscriptionId": csub, "resourceGroupName": "rg", "name": "bench-topic", "source": "bench"}}});
    partner
        .put("partnerNamespaces/bench-ns/channels/bench", channel)
        .await?;
    customer
        .post("partnerTopics/bench-topic/activate", json!({}))
        .await?;
    let keys = partner
        .post("partnerNamespaces/bench-ns/listKeys", json!({}))
        .await?;
    Ok(Provisioned {
        endpoint: ns["properties"]["endpoint"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        key: keys["key1"].as_str().unwrap_or_default().to_owned(),
        customer_key: customer.key.to_owned(),
        topic: format!("{}/partnerTopics/bench-topic", customer.base),
    })
}
