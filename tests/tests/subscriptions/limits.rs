//! The limits an event subscription is held to, on a PUT and on a PATCH, each refused with a
//! 400 naming it; and the most subscriptions a topic holds.

use e2e::{Answer, Server, from_now, message, webhook_receiver};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{body, subscription, topic};

/// A PUT body breaking one limit (the rest as [`body`] to `ok`), the code it is refused with,
/// and what the message says.
#[rustfmt::skip]
fn cases(ok: &str) -> Vec<(Value, &'static str, &'static str)> {
    let with = |pointer: &str, value: Value| {
        let mut b = body(ok);
        let (parent, field) = pointer.rsplit_once('/').unwrap();
        b.pointer_mut(parent).unwrap()[field] = value;
        b
    };
    let dest = |field: &str, value: Value| with(&format!("/properties/destination/properties/{field}"), value);
    let mapping = |at: &str, value: Value| dest(&format!("deliveryAttributeMappings/{at}"), value);
    let eleven: Vec<Value> = (0..11)
        .map(|i| json!({"name": format!("x-h{i}"), "type": "Static", "properties": {"value": "v"}}))
        .collect();
    let filters: Vec<Value> = (0..26)
        .map(|i| json!({"operatorType": "IsNotNull", "key": format!("k{i}")}))
        .collect();
    let bad_mapping = "InvalidDeliveryAttributeMapping";
    let destination = body(ok)["properties"]["destination"].clone();
    let yesterday = from_now(time::Duration::days(-1));
    vec![
        (dest("maxEventsPerBatch", json!(0)), "InvalidDestination", "1 to 5000"),
        (dest("maxEventsPerBatch", json!(5001)), "InvalidDestination", "1 to 5000"),
        (dest("preferredBatchSizeInKilobytes", json!(1025)), "InvalidDestination", "1 to 1024"),
        (dest("deliveryAttributeMappings", json!(eleven)), bad_mapping, "at most 10"),
        (mapping("0/name", json!("aeg-custom")), bad_mapping, "aeg-"),
        (mapping("0/properties/value", json!("v".repeat(4097))), bad_mapping, "4096"),
        (mapping("0/name", json!("Content-Length")), bad_mapping, "frames the request"),
        (mapping("0/name", json!("X-Tenant")), bad_mapping, "given twice"),
        (mapping("0/name", json!("x".repeat(257))), bad_mapping, "at most 256"),
        (mapping("1/properties/value", json!("contoso\r\nX-Injected: 1")), bad_mapping, "control character"),
        (mapping("2/properties/sourceField", json!("data\0orderId")), bad_mapping, "control character"),
        (dest("endpointUrl", json!("")), "InvalidDestination", "endpointUrl"),
        (with("/properties/retryPolicy/maxDeliveryAttempts", json!(31)), "InvalidRetryPolicy", "1 to 30"),
        (with("/properties/retryPolicy/maxDeliveryAttempts", json!(0)), "InvalidRetryPolicy", "1 to 30"),
        (with("/properties/retryPolicy/eventTimeToLiveInMinutes", json!(1441)), "InvalidRetryPolicy", "1 to 1440"),
        (with("/properties/filter/advancedFilters", json!(filters)), "TooManyAdvancedFilters", "25"),
        (json!({"properties": {"destination": destination, "expirationTimeUtc": yesterday}}), "InvalidExpirationTime", "not in the future"),
        (json!({"properties": {"destination": destination, "eventDeliverySchema": "EventGridSchema"}}), "InvalidEventDeliverySchema", "CloudEventSchemaV1_0"),
        (json!({"properties": {}}), "InvalidDestination", "destination is required"),
        (json!({"properties": {"destination": {"endpointType": "PartnerDestination", "properties": {"resourceId": "x"}}}}), "InvalidDestination", "is not a partner destination id"),
    ]
}

#[tokio::test]
async fn every_subscription_limit_is_a_400_naming_it() {
    let server = Server::start().await;
    let t = topic(&server).await;
    let ok = format!("{}/hook/ok", webhook_receiver().await);
    for (b, code, says) in cases(&ok) {
        let answer = t
            .customer
            .put(&subscription(&t, "limits"), b)
            .await
            .expect_error(StatusCode::BAD_REQUEST, code);
        assert!(message(&answer).contains(says), "{answer}");
    }
    t.customer
        .put(&subscription(&t, "ab"), body(&ok))
        .await
        .expect_error(StatusCode::BAD_REQUEST, "InvalidResourceName");
}

#[tokio::test]
async fn a_topic_holds_at_most_500_subscriptions() {
    let server = Server::start().await;
    let t = topic(&server).await;
    let hooks = webhook_receiver().await;
    let b = body(&format!("{hooks}/hook/ok"));
    for i in 0..500 {
        t.customer
            .put(&subscription(&t, &format!("sub-{i:03}")), b.clone())
            .await
            .expect_status(StatusCode::CREATED);
    }
    t.customer
        .put(&subscription(&t, "one-too-many"), b.clone())
        .await
        .expect_error(StatusCode::BAD_REQUEST, "TooManyEventSubscriptions");
    assert_eq!(
        t.customer.put(&subscription(&t, "sub-000"), b).await.0,
        StatusCode::OK,
        "replacing one is still allowed"
    );
}

#[tokio::test]
async fn a_patch_may_not_give_a_delivery_attribute_a_reserved_name_or_a_header_breaking_value() {
    let server = Server::start().await;
    let t = topic(&server).await;
    let hooks = webhook_receiver().await;
    let path = subscription(&t, "patched");
    t.customer
        .put(&path, body(&format!("{hooks}/hook/ok")))
        .await
        .expect_status(StatusCode::CREATED);
    let mapping = |name: &str, value: &str| json!({"name": name, "type": "Static", "properties": {"value": value}});
    for (mapping, says) in [
        (mapping("Host", "elsewhere"), "frames the request"),
        (
            mapping("Transfer-Encoding", "chunked"),
            "frames the request",
        ),
        (mapping("aeg-delivery-count", "9"), "aeg-"),
        (mapping("x-a", "a\nb"), "control character"),
    ] {
        let answer = t
            .customer
            .patch(
                &path,
                json!({"destination": {"endpointType": "WebHook", "properties": {
                    "maxEventsPerBatch": 10,
                    "deliveryAttributeMappings": [mapping]
                }}}),
            )
            .await
            .expect_error(StatusCode::BAD_REQUEST, "InvalidDeliveryAttributeMapping");
        assert!(message(&answer).contains(says), "{answer}");
    }
    let (_, attrs) = t.customer.action(&path, "getDeliveryAttributes").await;
    assert_eq!(attrs["value"].as_array().map(Vec::len), Some(3), "{attrs}");
}
