//! The publish endpoint over HTTP: every credential form, both routing modes, the three
//! content modes, all-or-nothing batches, limits, activation, and key rotation.

use e2e::{Answer, BATCH, Publisher, Server, Tenants, answer};
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

/// A namespace's publish endpoint and keys.
struct Namespace {
    publisher: Publisher,
    endpoint: String,
    key1: String,
    key2: String,
}

/// Tenants in routing `mode` with activated topics `orders-topic` and `refunds-topic` (sources
/// `fabrikam/orders` and `fabrikam/refunds`), and their namespace.
async fn ready(server: &Server, mode: &str) -> (Tenants, Namespace) {
    let t = Tenants::new(server, mode).await;
    t.activate(&t.orders_topic().await).await;
    t.activated_topic("refunds", "refunds-topic", "fabrikam/refunds")
        .await;
    let endpoint = t.publisher().await.url;
    let keys = t.keys().await;
    let namespace = Namespace {
        publisher: Publisher::new(&format!("{endpoint}?api-version=2018-01-01")),
        endpoint,
        key1: keys["key1"].as_str().unwrap().to_owned(),
        key2: keys["key2"].as_str().unwrap().to_owned(),
    };
    (t, namespace)
}

fn event(id: &str, source: &str) -> Value {
    json!({"specversion": "1.0", "id": id, "source": source, "type": "Order.Created", "data": {"id": id}})
}

impl Namespace {
    fn post(&self) -> reqwest::RequestBuilder {
        self.publisher.post()
    }

    fn batch(&self, events: &Value) -> reqwest::RequestBuilder {
        self.publisher.batch(events)
    }
}

/// Every message waiting for fan-out, acknowledged.
async fn drain(server: &Server) -> Vec<Value> {
    server
        .drain_published()
        .await
        .iter()
        .map(|body| serde_json::from_str(body).unwrap())
        .collect()
}

#[tokio::test]
async fn events_routed_by_channel_name_are_enqueued_unchanged_for_their_topic() {
    let server = Server::builder().paused().start().await;
    let (t, p) = ready(&server, "ChannelNameHeader").await;
    let text = r#"[{"specversion":"1.0","id":"a","source":"s","type":"t","data":{"x":  1.50}},{"specversion":"1.0","id":"b","source":"s","type":"t"}]"#;
    answer(
        p.post()
            .header("content-type", BATCH)
            .header("aeg-sas-key", &p.key1)
            .header("aeg-channel-name", "orders")
            .body(text),
    )
    .await
    .expect_status(StatusCode::OK);
    let raw = server.drain_published().await;
    assert_eq!(raw.len(), 1);
    assert!(
        raw[0].contains(&text[1..text.len() - 1]),
        "the events' text is kept byte for byte: {}",
        raw[0]
    );
    let message: Value = serde_json::from_str(&raw[0]).unwrap();
    assert_eq!(message["topic"], t.topic("orders-topic"));
    assert!(message["publishedAt"].as_str().is_some());
    assert_eq!(message["events"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn events_routed_by_source_split_per_topic_and_an_unknown_source_stores_nothing() {
    let server = Server::builder().paused().start().await;
    let (t, p) = ready(&server, "SourceEventAttribute").await;
    let batch = json!([
        event("1", "fabrikam/orders"),
        event("2", "fabrikam/refunds"),
        event("3", "fabrikam/orders")
    ]);
    answer(p.batch(&batch).header("aeg-sas-key", &p.key2))
        .await
        .expect_status(StatusCode::OK);
    let mut messages = drain(&server).await;
    messages.sort_by_key(|m| m["topic"].as_str().unwrap().to_owned());
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["topic"], t.topic("orders-topic"));
    assert_eq!(messages[0]["events"].as_array().unwrap().len(), 2);
    assert_eq!(messages[1]["events"][0]["id"], "2");

    let mixed = json!([event("4", "fabrikam/orders"), event("5", "somewhere/else")]);
    answer(p.batch(&mixed).header("aeg-sas-key", &p.key1))
        .await
        .expect_error(StatusCode::BAD_REQUEST, "NoChannelForSource");
    assert!(drain(&server).await.is_empty(), "all or nothing");
}

#[tokio::test]
async fn every_credential_form_is_accepted_and_wrong_ones_are_401() {
    let server = Server::builder().paused().start().await;
    let (_t, p) = ready(&server, "SourceEventAttribute").await;
    let batch = json!([event("1", "fabrikam/orders")]);
    let resource = format!("{}?apiVersion=2018-01-01", p.endpoint);
    let token = shared::ingest::sas::generate_token(
        &resource,
        OffsetDateTime::now_utc() + Duration::hours(1),
        &p.key2,
    )
    .unwrap();
    let expired = shared::ingest::sas::generate_token(
        &resource,
        OffsetDateTime::now_utc() - Duration::minutes(1),
        &p.key1,
    )
    .unwrap();
    let foreign = shared::ingest::sas::generate_token(
        &resource,
        OffsetDateTime::now_utc() + Duration::hours(1),
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    )
    .unwrap();
    let accepted = [
        p.batch(&batch).header("aeg-sas-key", &p.key1),
        p.publisher
            .http
            .post(format!("{}?aeg-sas-key={}", p.endpoint, urlencode(&p.key2)))
            .header("content-type", "application/cloudevents-batch+json")
            .body(batch.to_string()),
        p.batch(&batch).header("aeg-sas-token", &token),
        p.batch(&batch)
            .header("authorization", format!("SharedAccessSignature {token}")),
    ];
    for request in accepted {
        answer(request).await.expect_status(StatusCode::OK);
    }
    let refused = [
        (p.batch(&batch), "MissingCredential"),
        (
            p.batch(&batch).header("aeg-sas-key", "bm90IGEga2V5"),
            "InvalidSasKey",
        ),
        (
            p.batch(&batch).header("aeg-sas-token", &expired),
            "SasTokenExpired",
        ),
        (
            p.batch(&batch).header("aeg-sas-token", &foreign),
            "InvalidSasSignature",
        ),
        (
            p.batch(&batch).header("aeg-sas-token", "r=x"),
            "MalformedSasToken",
        ),
        (
            p.batch(&batch).header("authorization", "Bearer abc"),
            "UnsupportedAuthorizationScheme",
        ),
    ];
    for (request, code) in refused {
        answer(request)
            .await
            .expect_error(StatusCode::UNAUTHORIZED, code);
    }
    assert_eq!(drain(&server).await.len(), 4);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn a_regenerated_key_stops_working_at_once() {
    let server = Server::builder().paused().start().await;
    let (t, p) = ready(&server, "SourceEventAttribute").await;
    let batch = json!([event("1", "fabrikam/orders")]);
    let with_key = |key: &str| answer(p.batch(&batch).header("aeg-sas-key", key));
    with_key(&p.key1).await.expect_status(StatusCode::OK);
    let (_, keys) = t
        .partner
        .post(
            &format!("{}/regenerateKey", t.namespace),
            json!({"keyName": "key1"}),
        )
        .await;
    with_key(&p.key1)
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "InvalidSasKey");
    with_key(keys["key1"].as_str().unwrap())
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(
        with_key(&p.key2).await.0,
        StatusCode::OK,
        "the other key keeps working"
    );
}

#[tokio::test]
async fn a_topic_that_is_not_activated_refuses_events_and_stores_nothing() {
    let server = Server::builder().paused().start().await;
    let (t, p) = ready(&server, "SourceEventAttribute").await;
    t.partner_topic("pending", "pending-topic", "fabrikam/pending")
        .await;
    answer(
        p.batch(&json!([event("1", "fabrikam/pending")]))
            .header("aeg-sas-key", &p.key1),
    )
    .await
    .expect_error(StatusCode::FORBIDDEN, "PartnerTopicNotActivated");
    t.deactivate(&t.topic("orders-topic")).await;
    let (status, _) = answer(
        p.batch(&json!([event("2", "fabrikam/orders")]))
            .header("aeg-sas-key", &p.key1),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "deactivation applies to the next publish"
    );
    assert!(drain(&server).await.is_empty());
}

#[tokio::test]
async fn structured_and_binary_modes_are_accepted() {
    let server = Server::builder().paused().start().await;
    let (_t, p) = ready(&server, "SourceEventAttribute").await;
    answer(
        p.post()
            .header("content-type", "application/cloudevents+json")
            .header("aeg-sas-key", &p.key1)
            .body(event("s1", "fabrikam/orders").to_string()),
    )
    .await
    .expect_status(StatusCode::OK);
    answer(
        p.post()
            .header("aeg-sas-key", &p.key1)
            .header("ce-specversion", "1.0")
            .header("ce-id", "b1")
            .header("ce-source", "fabrikam%2Forders")
            .header("ce-type", "Order.Created")
            .header("content-type", "application/json")
            .body(r#"{"binary": true}"#),
    )
    .await
    .expect_status(StatusCode::OK);
    let messages = drain(&server).await;
    assert_eq!(messages.len(), 2);
    let binary = &messages
        .iter()
        .find(|m| m["events"][0]["id"] == "b1")
        .unwrap()["events"][0];
    assert_eq!(binary["data"], json!({"binary": true}));
    assert_eq!(binary["source"], "fabrikam/orders");
}

#[tokio::test]
async fn a_disabled_local_auth_refuses_keys_and_tokens() {
    let server = Server::builder().paused().start().await;
    let (t, p) = ready(&server, "SourceEventAttribute").await;
    t.partner
        .patch(
            &t.namespace,
            json!({"properties": {"disableLocalAuth": true}}),
        )
        .await
        .expect_status(StatusCode::OK);
    answer(
        p.batch(&json!([event("1", "fabrikam/orders")]))
            .header("aeg-sas-key", &p.key1),
    )
    .await
    .expect_error(StatusCode::UNAUTHORIZED, "LocalAuthDisabled");
}

#[tokio::test]
async fn an_event_too_large_for_a_queue_message_is_stored_and_kept_whole() {
    let server = Server::builder().paused().start().await;
    let (_t, p) = ready(&server, "SourceEventAttribute").await;
    let mut big = event("big", "fabrikam/orders");
    big["data"] = json!("é".repeat(400 * 1024));
    let text = format!("[{big}]");
    assert!(text.len() < 1024 * 1024 && text.len() > 512 * 1024);
    answer(
        p.post()
            .header("content-type", "application/cloudevents-batch+json")
            .header("aeg-sas-key", &p.key1)
            .body(text),
    )
    .await
    .expect_status(StatusCode::OK);
    let messages = drain(&server).await;
    let id = messages[0]["payload"].as_str().unwrap();
    let stored = shared::usecases::support::payloads::load_payload(&server.app.ports, id)
        .await
        .unwrap();
    assert_eq!(serde_json::from_str::<Value>(&stored).unwrap(), big);
}

#[tokio::test]
async fn a_channel_namespace_needs_a_known_channel_name() {
    let server = Server::builder().paused().start().await;
    let (_t, p) = ready(&server, "ChannelNameHeader").await;
    let batch = json!([event("1", "anything")]);
    answer(p.batch(&batch).header("aeg-sas-key", &p.key1))
        .await
        .expect_error(StatusCode::BAD_REQUEST, "ChannelNameRequired");
    answer(
        p.batch(&batch)
            .header("aeg-sas-key", &p.key1)
            .header("aeg-channel-name", "nope"),
    )
    .await
    .expect_error(StatusCode::BAD_REQUEST, "ChannelNotFound");
    assert!(drain(&server).await.is_empty());
}
