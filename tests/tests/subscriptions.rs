//! Event subscriptions on partner topics over HTTP: the validation handshake and each way it
//! fails, the SSRF guard, secrets kept out of reads, every limit a subscription is held to,
//! expiry, and isolation.

use e2e::{Answer, Server, Tenants, from_now, message, webhook_receiver};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// `server` with tenants whose partner topic `orders-topic` is not activated, and a
/// handshake-answering webhook endpoint's base URL.
async fn topic(server: Server) -> (Server, Tenants, String) {
    let t = Tenants::new(&server, "SourceEventAttribute").await;
    t.orders_topic().await;
    (server, t, webhook_receiver().await)
}

fn subscription(t: &Tenants, name: &str) -> String {
    format!("{}/eventSubscriptions/{name}", t.topic("orders-topic"))
}

/// Creates subscription `name` as [`body`] to `url`; asserts 201; its path.
async fn subscribed(t: &Tenants, name: &str, url: &str) -> String {
    let path = subscription(t, name);
    t.customer
        .put(&path, body(url))
        .await
        .expect_status(StatusCode::CREATED);
    path
}

/// A webhook subscription to `url` with a batch size, three delivery attributes (one secret),
/// a filter, a retry policy and a label.
fn body(url: &str) -> Value {
    json!({"properties": {
        "destination": {"endpointType": "WebHook", "properties": {
            "endpointUrl": url,
            "maxEventsPerBatch": 10,
            "deliveryAttributeMappings": [
                {"name": "x-api-key", "type": "Static", "properties": {"value": "s3cret", "isSecret": true}},
                {"name": "x-tenant", "type": "Static", "properties": {"value": "contoso", "isSecret": false}},
                {"name": "x-order", "type": "Dynamic", "properties": {"sourceField": "data.orderId"}}
            ]
        }},
        "filter": {"includedEventTypes": ["Order.Created"], "advancedFilters": [{"operatorType": "NumberGreaterThan", "key": "data.total", "value": 10}]},
        "retryPolicy": {"maxDeliveryAttempts": 5, "eventTimeToLiveInMinutes": 60},
        "labels": ["orders"]
    }})
}

#[tokio::test]
async fn a_validated_webhook_is_subscribed_and_its_secrets_stay_out_of_reads() {
    let (_server, t, hooks) = topic(Server::start().await).await;
    let url = format!("{hooks}/hook/ok?code=topsecret");
    let path = subscribed(&t, "orders-hook", &url).await;
    let ok = StatusCode::OK;
    let got = t.customer.get(&path).await.expect_status(ok);
    let text = got.to_string();
    assert!(
        !text.contains("topsecret") && !text.contains("s3cret"),
        "no secret in a GET: {text}"
    );
    let p = &got["properties"];
    assert_eq!(
        p["destination"]["properties"]["endpointBaseUrl"],
        format!("{hooks}/hook/ok")
    );
    assert_eq!(
        p["destination"]["properties"]["deliveryAttributeMappings"][1]["properties"]["value"],
        "contoso"
    );
    assert_eq!(p["topic"], t.topic("orders-topic"));
    assert_eq!(p["provisioningState"], "Succeeded");
    assert_eq!(p["eventDeliverySchema"], "CloudEventSchemaV1_0");
    assert_eq!(
        p["filter"]["advancedFilters"][0]["operatorType"],
        "NumberGreaterThan"
    );
    assert_eq!(p["retryPolicy"]["maxDeliveryAttempts"], 5);

    let full = t.customer.action(&path, "getFullUrl").await;
    assert_eq!(full.expect_status(ok)["endpointUrl"], url.as_str());
    let attrs = t.customer.action(&path, "getDeliveryAttributes").await;
    assert_eq!(
        attrs.expect_status(ok)["value"][0]["properties"]["value"],
        "s3cret"
    );

    assert_eq!(
        t.customer.put(&path, body(&url)).await.0,
        StatusCode::OK,
        "a replace is 200"
    );
    let patched = t
        .customer
        .patch(&path, json!({"properties": {"labels": ["patched"]}}))
        .await
        .expect_status(StatusCode::CREATED);
    assert_eq!(patched["properties"]["labels"], json!(["patched"]));
    let (_, full) = t.customer.action(&path, "getFullUrl").await;
    assert_eq!(
        full["endpointUrl"],
        url.as_str(),
        "a patch without the URL keeps it"
    );
    let (_, listed) = t
        .customer
        .get(&format!("{}/eventSubscriptions", t.topic("orders-topic")))
        .await;
    assert_eq!(listed["value"].as_array().unwrap().len(), 1);

    let star = body(&format!("{hooks}/hook/star"));
    let (status, _) = t.customer.put(&subscription(&t, "star"), star).await;
    assert_eq!(status, StatusCode::CREATED, "'*' is allowed");
    assert_eq!(
        t.partner.get(&path).await.0,
        StatusCode::NOT_FOUND,
        "the partner cannot see the customer's subscription"
    );
    t.customer.remove(&path).await;
    t.customer.assert_missing(&path).await;
    t.customer.remove(&t.topic("orders-topic")).await;
    t.orders_topic().await;
    assert_eq!(
        t.customer.get(&subscription(&t, "star")).await.0,
        StatusCode::NOT_FOUND,
        "the topic's subscriptions went with it"
    );
}

#[tokio::test]
async fn a_failed_handshake_fails_the_put_and_says_what_the_endpoint_answered() {
    let (_server, t, hooks) = topic(Server::start().await).await;
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        format!("http://127.0.0.1:{port}/hook")
    };
    for (url, says) in [
        (format!("{hooks}/hook/refuse"), "405"),
        (
            format!("{hooks}/hook/nohdr"),
            "without a WebHook-Allowed-Origin",
        ),
        (
            format!("{hooks}/hook/other"),
            "WebHook-Allowed-Origin: example.com",
        ),
        (closed, "could not be reached"),
    ] {
        let answer = t
            .customer
            .put(&subscription(&t, "refused"), body(&url))
            .await
            .expect_error(StatusCode::BAD_REQUEST, "WebhookValidationFailed");
        assert!(message(&answer).contains(says), "{url}: {answer}");
    }
    t.customer
        .assert_missing(&subscription(&t, "refused"))
        .await;
}

#[tokio::test]
async fn a_public_deployment_refuses_internal_webhook_targets() {
    let (_server, t, hooks) = topic(Server::builder().strict().start().await).await;
    let port = hooks.rsplit(':').next().unwrap();
    let not_allowed = "WebhookTargetNotAllowed";
    for (url, code) in [
        (format!("{hooks}/hook/ok"), not_allowed),
        (format!("http://localhost:{port}/hook/ok"), not_allowed),
        (
            "http://169.254.169.254/latest/meta-data".into(),
            not_allowed,
        ),
        ("http://10.1.2.3/hook".to_owned(), not_allowed),
        ("http://[::1]/hook".to_owned(), not_allowed),
        ("ftp://example.com/hook".to_owned(), "InvalidWebhookUrl"),
        ("not a url".to_owned(), "InvalidWebhookUrl"),
    ] {
        t.customer
            .put(&subscription(&t, "internal"), body(&url))
            .await
            .expect_error(StatusCode::BAD_REQUEST, code);
    }
}

#[tokio::test]
async fn secrets_survive_a_get_then_patch_round_trip() {
    let (_server, t, hooks) = topic(Server::start().await).await;
    let path = subscribed(&t, "round-trip", &format!("{hooks}/hook/ok?code=k")).await;
    let (_, got) = t.customer.get(&path).await;
    let mut destination = got["properties"]["destination"].clone();
    destination["properties"]
        .as_object_mut()
        .unwrap()
        .remove("endpointBaseUrl");
    t.customer
        .patch(&path, json!({"destination": destination}))
        .await
        .expect_status(StatusCode::CREATED);
    let (_, attrs) = t.customer.action(&path, "getDeliveryAttributes").await;
    assert_eq!(
        attrs["value"][0]["properties"]["value"], "s3cret",
        "the secret header value is kept"
    );
    let (_, full) = t.customer.action(&path, "getFullUrl").await;
    assert_eq!(full["endpointUrl"], format!("{hooks}/hook/ok?code=k"));
}

#[tokio::test]
async fn an_expired_subscription_is_gone_and_its_name_is_free() {
    let clock = std::sync::Arc::new(shared::ports::ManualClock::new(
        time::OffsetDateTime::now_utc(),
    ));
    let (_server, t, hooks) = topic(Server::builder().clock(clock.clone()).start().await).await;
    let path = subscription(&t, "short");
    let mut b = body(&format!("{hooks}/hook/ok"));
    b["properties"]["expirationTimeUtc"] = json!(from_now(time::Duration::hours(1)));
    t.customer
        .put(&path, b)
        .await
        .expect_status(StatusCode::CREATED);
    clock.advance(time::Duration::hours(2));
    t.customer.assert_missing(&path).await;
    t.customer
        .put(&path, body(&format!("{hooks}/hook/ok")))
        .await
        .expect_status(StatusCode::CREATED);
}

#[tokio::test]
async fn a_channel_named_in_another_case_is_the_same_channel() {
    let (_server, t, hooks) = topic(Server::start().await).await;
    subscribed(&t, "kept", &format!("{hooks}/hook/ok")).await;
    t.partner.remove(&t.channel("ORDERS")).await;
    assert_eq!(
        t.customer.get(&t.topic("orders-topic")).await.0,
        StatusCode::NOT_FOUND,
        "the topic went with its channel"
    );
    t.orders_topic().await;
    assert_eq!(
        t.customer.get(&subscription(&t, "kept")).await.0,
        StatusCode::NOT_FOUND,
        "a new topic of the same name starts without the old subscriptions"
    );
}

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
    let (_server, t, hooks) = topic(Server::start().await).await;
    let ok = format!("{hooks}/hook/ok");
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
    let (_server, t, hooks) = topic(Server::start().await).await;
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
    let (_server, t, hooks) = topic(Server::start().await).await;
    let path = subscribed(&t, "patched", &format!("{hooks}/hook/ok")).await;
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
