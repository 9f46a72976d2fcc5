//! Event subscriptions on partner topics over HTTP: the validation handshake and each way it
//! fails, the SSRF guard, secrets kept out of reads, limits, and isolation.

use e2e::{Server, Tenants, webhook_receiver};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn topic(server: &Server) -> Tenants {
    let t = Tenants::new(server, "SourceEventAttribute").await;
    assert_eq!(
        t.partner
            .put(
                &t.channel("orders"),
                t.channel_body("orders-topic", "fabrikam/orders")
            )
            .await
            .0,
        StatusCode::CREATED
    );
    t
}

fn subscription(t: &Tenants, name: &str) -> String {
    format!("{}/eventSubscriptions/{name}", t.topic("orders-topic"))
}

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
    let (status, created) = t.customer.put(&path, body(&url)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (status, got) = t.customer.get(&path).await;
    assert_eq!(status, StatusCode::OK);
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

    let (status, full) = t
        .customer
        .post(&format!("{path}/getFullUrl"), json!({}))
        .await;
    assert_eq!(
        (status, full["endpointUrl"].as_str()),
        (StatusCode::OK, Some(url.as_str()))
    );
    let (status, attrs) = t
        .customer
        .post(&format!("{path}/getDeliveryAttributes"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(attrs["value"][0]["properties"]["value"], "s3cret");

    assert_eq!(
        t.customer.put(&path, body(&url)).await.0,
        StatusCode::OK,
        "a replace is 200"
    );
    let (status, patched) = t
        .customer
        .patch(&path, json!({"properties": {"labels": ["patched"]}}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{patched}");
    assert_eq!(patched["properties"]["labels"], json!(["patched"]));
    let (_, full) = t
        .customer
        .post(&format!("{path}/getFullUrl"), json!({}))
        .await;
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

    assert_eq!(
        t.customer
            .put(
                &subscription(&t, "star"),
                body(&format!("{hooks}/hook/star"))
            )
            .await
            .0,
        StatusCode::CREATED,
        "'*' is allowed"
    );
    assert_eq!(
        t.partner.get(&path).await.0,
        StatusCode::NOT_FOUND,
        "the partner cannot see the customer's subscription"
    );
    assert_eq!(t.customer.delete(&path).await.0, StatusCode::NO_CONTENT);
    assert_eq!(t.customer.get(&path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        t.customer.delete(&t.topic("orders-topic")).await.0,
        StatusCode::NO_CONTENT
    );
    let again = topic_again(&t).await;
    assert_eq!(
        again,
        StatusCode::NOT_FOUND,
        "the topic's subscriptions went with it"
    );
}

async fn topic_again(t: &Tenants) -> StatusCode {
    assert_eq!(
        t.partner
            .put(
                &t.channel("orders"),
                t.channel_body("orders-topic", "fabrikam/orders")
            )
            .await
            .0,
        StatusCode::CREATED
    );
    t.customer.get(&subscription(t, "star")).await.0
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
        let (status, answer) = t
            .customer
            .put(&subscription(&t, "refused"), body(&url))
            .await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("WebhookValidationFailed")),
            "{url}: {answer}"
        );
        assert!(
            answer["error"]["message"].as_str().unwrap().contains(says),
            "{url}: {answer}"
        );
    }
    assert_eq!(
        t.customer.get(&subscription(&t, "refused")).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_public_deployment_refuses_internal_webhook_targets() {
    let server = Server::start_strict().await;
    let t = topic(&server).await;
    let hooks = webhook_receiver().await;
    let port = hooks.rsplit(':').next().unwrap();
    for (url, code) in [
        (format!("{hooks}/hook/ok"), "WebhookTargetNotAllowed"),
        (
            format!("http://localhost:{port}/hook/ok"),
            "WebhookTargetNotAllowed",
        ),
        (
            "http://169.254.169.254/latest/meta-data".to_owned(),
            "WebhookTargetNotAllowed",
        ),
        ("http://10.1.2.3/hook".to_owned(), "WebhookTargetNotAllowed"),
        ("http://[::1]/hook".to_owned(), "WebhookTargetNotAllowed"),
        ("ftp://example.com/hook".to_owned(), "InvalidWebhookUrl"),
        ("not a url".to_owned(), "InvalidWebhookUrl"),
    ] {
        let (status, answer) = t
            .customer
            .put(&subscription(&t, "internal"), body(&url))
            .await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{url}: {answer}"
        );
    }
}

#[tokio::test]
async fn every_subscription_limit_is_a_400_naming_it() {
    let server = Server::start().await;
    let t = topic(&server).await;
    let hooks = webhook_receiver().await;
    let ok = format!("{hooks}/hook/ok");
    let with = |pointer: &str, value: Value| {
        let mut b = body(&ok);
        let (parent, field) = pointer.rsplit_once('/').unwrap();
        b.pointer_mut(parent).unwrap()[field] = value;
        b
    };
    let dest = "/properties/destination/properties";
    let eleven: Vec<Value> = (0..11)
        .map(|i| json!({"name": format!("x-h{i}"), "type": "Static", "properties": {"value": "v"}}))
        .collect();
    let filters: Vec<Value> = (0..26)
        .map(|i| json!({"operatorType": "IsNotNull", "key": format!("k{i}")}))
        .collect();
    let cases = [
        (
            with(&format!("{dest}/maxEventsPerBatch"), json!(0)),
            "InvalidDestination",
            "1 to 5000",
        ),
        (
            with(&format!("{dest}/maxEventsPerBatch"), json!(5001)),
            "InvalidDestination",
            "1 to 5000",
        ),
        (
            with(
                &format!("{dest}/preferredBatchSizeInKilobytes"),
                json!(1025),
            ),
            "InvalidDestination",
            "1 to 1024",
        ),
        (
            with(&format!("{dest}/deliveryAttributeMappings"), json!(eleven)),
            "InvalidDeliveryAttributeMapping",
            "at most 10",
        ),
        (
            with(
                &format!("{dest}/deliveryAttributeMappings/0/name"),
                json!("aeg-custom"),
            ),
            "InvalidDeliveryAttributeMapping",
            "aeg-",
        ),
        (
            with(
                &format!("{dest}/deliveryAttributeMappings/0/properties/value"),
                json!("v".repeat(4097)),
            ),
            "InvalidDeliveryAttributeMapping",
            "4096",
        ),
        (
            with(
                &format!("{dest}/deliveryAttributeMappings/0/name"),
                json!("Content-Length"),
            ),
            "InvalidDeliveryAttributeMapping",
            "frames the request",
        ),
        (
            with(
                &format!("{dest}/deliveryAttributeMappings/0/name"),
                json!("X-Tenant"),
            ),
            "InvalidDeliveryAttributeMapping",
            "given twice",
        ),
        (
            with(
                &format!("{dest}/deliveryAttributeMappings/0/name"),
                json!("x".repeat(257)),
            ),
            "InvalidDeliveryAttributeMapping",
            "at most 256",
        ),
        (
            with(
                &format!("{dest}/deliveryAttributeMappings/1/properties/value"),
                json!("contoso\r\nX-Injected: 1"),
            ),
            "InvalidDeliveryAttributeMapping",
            "control character",
        ),
        (
            with(
                &format!("{dest}/deliveryAttributeMappings/2/properties/sourceField"),
                json!("data\0orderId"),
            ),
            "InvalidDeliveryAttributeMapping",
            "control character",
        ),
        (
            with(&format!("{dest}/endpointUrl"), json!("")),
            "InvalidDestination",
            "endpointUrl",
        ),
        (
            with("/properties/retryPolicy/maxDeliveryAttempts", json!(31)),
            "InvalidRetryPolicy",
            "1 to 30",
        ),
        (
            with("/properties/retryPolicy/maxDeliveryAttempts", json!(0)),
            "InvalidRetryPolicy",
            "1 to 30",
        ),
        (
            with(
                "/properties/retryPolicy/eventTimeToLiveInMinutes",
                json!(1441),
            ),
            "InvalidRetryPolicy",
            "1 to 1440",
        ),
        (
            with("/properties/filter/advancedFilters", json!(filters)),
            "TooManyAdvancedFilters",
            "25",
        ),
        (
            json!({"properties": {"destination": body(&ok)["properties"]["destination"], "expirationTimeUtc": shared::time_format::rfc3339(time::OffsetDateTime::now_utc() - time::Duration::days(1))}}),
            "InvalidExpirationTime",
            "not in the future",
        ),
        (
            json!({"properties": {"destination": body(&ok)["properties"]["destination"], "eventDeliverySchema": "EventGridSchema"}}),
            "InvalidEventDeliverySchema",
            "CloudEventSchemaV1_0",
        ),
        (
            json!({"properties": {}}),
            "InvalidDestination",
            "destination is required",
        ),
        (
            json!({"properties": {"destination": {"endpointType": "PartnerDestination", "properties": {"resourceId": "x"}}}}),
            "InvalidDestination",
            "is not a partner destination id",
        ),
    ];
    for (b, code, says) in cases {
        let (status, answer) = t.customer.put(&subscription(&t, "limits"), b).await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{answer}"
        );
        assert!(
            answer["error"]["message"].as_str().unwrap().contains(says),
            "{answer}"
        );
    }
    let (status, answer) = t.customer.put(&subscription(&t, "ab"), body(&ok)).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("InvalidResourceName"))
    );
}

#[tokio::test]
async fn a_topic_holds_at_most_500_subscriptions() {
    let server = Server::start().await;
    let t = topic(&server).await;
    let hooks = webhook_receiver().await;
    let b = body(&format!("{hooks}/hook/ok"));
    for i in 0..500 {
        let (status, answer) = t
            .customer
            .put(&subscription(&t, &format!("sub-{i:03}")), b.clone())
            .await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }
    let (status, answer) = t
        .customer
        .put(&subscription(&t, "one-too-many"), b.clone())
        .await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("TooManyEventSubscriptions"))
    );
    assert_eq!(
        t.customer.put(&subscription(&t, "sub-000"), b).await.0,
        StatusCode::OK,
        "replacing one is still allowed"
    );
}

#[tokio::test]
async fn secrets_survive_a_get_then_patch_round_trip() {
    let server = Server::start().await;
    let t = topic(&server).await;
    let hooks = webhook_receiver().await;
    let path = subscription(&t, "round-trip");
    assert_eq!(
        t.customer
            .put(&path, body(&format!("{hooks}/hook/ok?code=k")))
            .await
            .0,
        StatusCode::CREATED
    );
    let (_, got) = t.customer.get(&path).await;
    let mut destination = got["properties"]["destination"].clone();
    destination["properties"]
        .as_object_mut()
        .unwrap()
        .remove("endpointBaseUrl");
    let (status, answer) = t
        .customer
        .patch(&path, json!({"destination": destination}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let (_, attrs) = t
        .customer
        .post(&format!("{path}/getDeliveryAttributes"), json!({}))
        .await;
    assert_eq!(
        attrs["value"][0]["properties"]["value"], "s3cret",
        "the secret header value is kept"
    );
    let (_, full) = t
        .customer
        .post(&format!("{path}/getFullUrl"), json!({}))
        .await;
    assert_eq!(full["endpointUrl"], format!("{hooks}/hook/ok?code=k"));
}

#[tokio::test]
async fn an_expired_subscription_is_gone_and_its_name_is_free() {
    let clock = std::sync::Arc::new(shared::ports::ManualClock::new(
        time::OffsetDateTime::now_utc(),
    ));
    let server = Server::start_with_clock(clock.clone()).await;
    let t = topic(&server).await;
    let hooks = webhook_receiver().await;
    let path = subscription(&t, "short");
    let mut b = body(&format!("{hooks}/hook/ok"));
    b["properties"]["expirationTimeUtc"] = json!(shared::time_format::rfc3339(
        time::OffsetDateTime::now_utc() + time::Duration::hours(1)
    ));
    assert_eq!(t.customer.put(&path, b).await.0, StatusCode::CREATED);
    clock.advance(time::Duration::hours(2));
    assert_eq!(t.customer.get(&path).await.0, StatusCode::NOT_FOUND);
    let (status, answer) = t
        .customer
        .put(&path, body(&format!("{hooks}/hook/ok")))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
}

#[tokio::test]
async fn a_channel_named_in_another_case_is_the_same_channel() {
    let server = Server::start().await;
    let t = topic(&server).await;
    let hooks = webhook_receiver().await;
    assert_eq!(
        t.customer
            .put(&subscription(&t, "kept"), body(&format!("{hooks}/hook/ok")))
            .await
            .0,
        StatusCode::CREATED
    );
    assert_eq!(
        t.partner.delete(&t.channel("ORDERS")).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        t.customer.get(&t.topic("orders-topic")).await.0,
        StatusCode::NOT_FOUND,
        "the topic went with its channel"
    );
    assert_eq!(
        t.partner
            .put(
                &t.channel("orders"),
                t.channel_body("orders-topic", "fabrikam/orders")
            )
            .await
            .0,
        StatusCode::CREATED
    );
    assert_eq!(
        t.customer.get(&subscription(&t, "kept")).await.0,
        StatusCode::NOT_FOUND,
        "a new topic of the same name starts without the old subscriptions"
    );
}

#[tokio::test]
async fn a_patch_may_not_give_a_delivery_attribute_a_reserved_name_or_a_header_breaking_value() {
    let server = Server::start().await;
    let t = topic(&server).await;
    let hooks = webhook_receiver().await;
    let path = subscription(&t, "patched");
    assert_eq!(
        t.customer
            .put(&path, body(&format!("{hooks}/hook/ok")))
            .await
            .0,
        StatusCode::CREATED
    );
    for (mapping, says) in [
        (
            json!({"name": "Host", "type": "Static", "properties": {"value": "elsewhere"}}),
            "frames the request",
        ),
        (
            json!({"name": "Transfer-Encoding", "type": "Static", "properties": {"value": "chunked"}}),
            "frames the request",
        ),
        (
            json!({"name": "aeg-delivery-count", "type": "Static", "properties": {"value": "9"}}),
            "aeg-",
        ),
        (
            json!({"name": "x-a", "type": "Static", "properties": {"value": "a\nb"}}),
            "control character",
        ),
    ] {
        let (status, answer) = t
            .customer
            .patch(
                &path,
                json!({"destination": {"endpointType": "WebHook", "properties": {
                    "maxEventsPerBatch": 10,
                    "deliveryAttributeMappings": [mapping]
                }}}),
            )
            .await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (
                StatusCode::BAD_REQUEST,
                Some("InvalidDeliveryAttributeMapping")
            ),
            "{answer}"
        );
        assert!(
            answer["error"]["message"].as_str().unwrap().contains(says),
            "{answer}"
        );
    }
    let (_, attrs) = t
        .customer
        .post(&format!("{path}/getDeliveryAttributes"), json!({}))
        .await;
    assert_eq!(attrs["value"].as_array().map(Vec::len), Some(3), "{attrs}");
}
