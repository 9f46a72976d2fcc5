//! Event subscriptions on partner topics over HTTP: the validation handshake and each way it
//! fails, the SSRF guard, secrets kept out of reads, expiry, and isolation; [`limits`], every
//! limit a subscription is held to.

mod limits;

use e2e::{Answer, Server, Tenants, from_now, message, webhook_receiver};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Tenants with partner topic `orders-topic`, not activated.
async fn topic(server: &Server) -> Tenants {
    let t = Tenants::new(server, "SourceEventAttribute").await;
    t.orders_topic().await;
    t
}

fn subscription(t: &Tenants, name: &str) -> String {
    format!("{}/eventSubscriptions/{name}", t.topic("orders-topic"))
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
    let server = Server::start().await;
    let t = topic(&server).await;
    let hooks = webhook_receiver().await;
    let url = format!("{hooks}/hook/ok?code=topsecret");
    let path = subscription(&t, "orders-hook");
    let ok = StatusCode::OK;
    t.customer
        .put(&path, body(&url))
        .await
        .expect_status(StatusCode::CREATED);
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
    t.customer
        .delete(&path)
        .await
        .expect_status(StatusCode::NO_CONTENT);
    t.customer
        .get(&path)
        .await
        .expect_status(StatusCode::NOT_FOUND);
    t.customer
        .delete(&t.topic("orders-topic"))
        .await
        .expect_status(StatusCode::NO_CONTENT);
    t.orders_topic().await;
    assert_eq!(
        t.customer.get(&subscription(&t, "star")).await.0,
        StatusCode::NOT_FOUND,
        "the topic's subscriptions went with it"
    );
}

#[tokio::test]
async fn a_failed_handshake_fails_the_put_and_says_what_the_endpoint_answered() {
    let server = Server::start().await;
    let t = topic(&server).await;
    let hooks = webhook_receiver().await;
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
        .get(&subscription(&t, "refused"))
        .await
        .expect_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_public_deployment_refuses_internal_webhook_targets() {
    let server = Server::builder().strict().start().await;
    let t = topic(&server).await;
    let hooks = webhook_receiver().await;
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
    let server = Server::start().await;
    let t = topic(&server).await;
    let hooks = webhook_receiver().await;
    let path = subscription(&t, "round-trip");
    t.customer
        .put(&path, body(&format!("{hooks}/hook/ok?code=k")))
        .await
        .expect_status(StatusCode::CREATED);
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
    let server = Server::builder().clock(clock.clone()).start().await;
    let t = topic(&server).await;
    let hooks = webhook_receiver().await;
    let path = subscription(&t, "short");
    let mut b = body(&format!("{hooks}/hook/ok"));
    b["properties"]["expirationTimeUtc"] = json!(from_now(time::Duration::hours(1)));
    t.customer
        .put(&path, b)
        .await
        .expect_status(StatusCode::CREATED);
    clock.advance(time::Duration::hours(2));
    t.customer
        .get(&path)
        .await
        .expect_status(StatusCode::NOT_FOUND);
    t.customer
        .put(&path, body(&format!("{hooks}/hook/ok")))
        .await
        .expect_status(StatusCode::CREATED);
}

#[tokio::test]
async fn a_channel_named_in_another_case_is_the_same_channel() {
    let server = Server::start().await;
    let t = topic(&server).await;
    let hooks = webhook_receiver().await;
    t.customer
        .put(&subscription(&t, "kept"), body(&format!("{hooks}/hook/ok")))
        .await
        .expect_status(StatusCode::CREATED);
    t.partner
        .delete(&t.channel("ORDERS"))
        .await
        .expect_status(StatusCode::NO_CONTENT);
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
