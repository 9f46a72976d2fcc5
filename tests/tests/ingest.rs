//! The publish endpoint over HTTP: every credential form, both routing modes, the three
//! content modes, all-or-nothing batches, limits, activation, and key rotation.

use e2e::{Server, Tenants};
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

struct Publisher {
    http: reqwest::Client,
    endpoint: String,
    key1: String,
    key2: String,
}

async fn ready(server: &Server, mode: &str) -> (Tenants, Publisher) {
    let t = Tenants::new(server, mode).await;
    for (channel, topic, source) in [
        ("orders", "orders-topic", "fabrikam/orders"),
        ("refunds", "refunds-topic", "fabrikam/refunds"),
    ] {
        assert_eq!(
            t.partner
                .put(&t.channel(channel), t.channel_body(topic, source))
                .await
                .0,
            StatusCode::CREATED
        );
        assert_eq!(
            t.customer
                .post(&format!("{}/activate", t.topic(topic)), json!({}))
                .await
                .0,
            StatusCode::OK
        );
    }
    let (_, ns) = t.partner.get(&t.namespace).await;
    let (_, keys) = t
        .partner
        .post(&format!("{}/listKeys", t.namespace), json!({}))
        .await;
    let publisher = Publisher {
        http: reqwest::Client::new(),
        endpoint: ns["properties"]["endpoint"].as_str().unwrap().to_owned(),
        key1: keys["key1"].as_str().unwrap().to_owned(),
        key2: keys["key2"].as_str().unwrap().to_owned(),
    };
    (t, publisher)
}

fn event(id: &str, source: &str) -> Value {
    json!({"specversion": "1.0", "id": id, "source": source, "type": "Order.Created", "data": {"id": id}})
}

impl Publisher {
    fn post(&self) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}?api-version=2018-01-01", self.endpoint))
    }

    fn batch(&self, events: &Value) -> reqwest::RequestBuilder {
        self.post()
            .header(
                "content-type",
                "application/cloudevents-batch+json; charset=utf-8",
            )
            .body(events.to_string())
    }
}

async fn answer(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Every message waiting for fan-out, acknowledged.
async fn drain(server: &Server) -> Vec<Value> {
    drain_raw(server)
        .await
        .iter()
        .map(|body| serde_json::from_str(body).unwrap())
        .collect()
}

/// The same, as the message bodies' text.
async fn drain_raw(server: &Server) -> Vec<String> {
    server.drain_published().await
}

#[tokio::test]
async fn events_routed_by_channel_name_are_enqueued_unchanged_for_their_topic() {
    let server = Server::start_paused().await;
    let (t, p) = ready(&server, "ChannelNameHeader").await;
    let text = r#"[{"specversion":"1.0","id":"a","source":"s","type":"t","data":{"x":  1.50}},{"specversion":"1.0","id":"b","source":"s","type":"t"}]"#;
    let (status, body) = answer(
        p.post()
            .header(
                "content-type",
                "application/cloudevents-batch+json; charset=utf-8",
            )
            .header("aeg-sas-key", &p.key1)
            .header("aeg-channel-name", "orders")
            .body(text),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let raw = drain_raw(&server).await;
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
    let server = Server::start_paused().await;
    let (t, p) = ready(&server, "SourceEventAttribute").await;
    let batch = json!([
        event("1", "fabrikam/orders"),
        event("2", "fabrikam/refunds"),
        event("3", "fabrikam/orders")
    ]);
    let (status, body) = answer(p.batch(&batch).header("aeg-sas-key", &p.key2)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut messages = drain(&server).await;
    messages.sort_by_key(|m| m["topic"].as_str().unwrap().to_owned());
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["topic"], t.topic("orders-topic"));
    assert_eq!(messages[0]["events"].as_array().unwrap().len(), 2);
    assert_eq!(messages[1]["events"][0]["id"], "2");

    let mixed = json!([event("4", "fabrikam/orders"), event("5", "somewhere/else")]);
    let (status, body) = answer(p.batch(&mixed).header("aeg-sas-key", &p.key1)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("NoChannelForSource")),
        "{body}"
    );
    assert!(drain(&server).await.is_empty(), "all or nothing");
}

#[tokio::test]
async fn every_credential_form_is_accepted_and_wrong_ones_are_401() {
    let server = Server::start_paused().await;
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
        p.http
            .post(format!("{}?aeg-sas-key={}", p.endpoint, urlencode(&p.key2)))
            .header("content-type", "application/cloudevents-batch+json")
            .body(batch.to_string()),
        p.batch(&batch).header("aeg-sas-token", &token),
        p.batch(&batch)
            .header("authorization", format!("SharedAccessSignature {token}")),
    ];
    for request in accepted {
        let (status, body) = answer(request).await;
        assert_eq!(status, StatusCode::OK, "{body}");
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
        let (status, body) = answer(request).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some(code)),
            "{body}"
        );
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
    let server = Server::start_paused().await;
    let (t, p) = ready(&server, "SourceEventAttribute").await;
    let batch = json!([event("1", "fabrikam/orders")]);
    assert_eq!(
        answer(p.batch(&batch).header("aeg-sas-key", &p.key1))
            .await
            .0,
        StatusCode::OK
    );
    let (_, keys) = t
        .partner
        .post(
            &format!("{}/regenerateKey", t.namespace),
            json!({"keyName": "key1"}),
        )
        .await;
    let (status, body) = answer(p.batch(&batch).header("aeg-sas-key", &p.key1)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("InvalidSasKey"))
    );
    assert_eq!(
        answer(
            p.batch(&batch)
                .header("aeg-sas-key", keys["key1"].as_str().unwrap())
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(
        answer(p.batch(&batch).header("aeg-sas-key", &p.key2))
            .await
            .0,
        StatusCode::OK,
        "the other key keeps working"
    );
}

#[tokio::test]
async fn a_topic_that_is_not_activated_refuses_events_and_stores_nothing() {
    let server = Server::start_paused().await;
    let (t, p) = ready(&server, "SourceEventAttribute").await;
    assert_eq!(
        t.partner
            .put(
                &t.channel("pending"),
                t.channel_body("pending-topic", "fabrikam/pending")
            )
            .await
            .0,
        StatusCode::CREATED
    );
    let (status, body) = answer(
        p.batch(&json!([event("1", "fabrikam/pending")]))
            .header("aeg-sas-key", &p.key1),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("PartnerTopicNotActivated"))
    );
    assert_eq!(
        t.customer
            .post(
                &format!("{}/deactivate", t.topic("orders-topic")),
                json!({})
            )
            .await
            .0,
        StatusCode::OK
    );
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
    let server = Server::start_paused().await;
    let (_t, p) = ready(&server, "SourceEventAttribute").await;
    let (status, body) = answer(
        p.post()
            .header("content-type", "application/cloudevents+json")
            .header("aeg-sas-key", &p.key1)
            .body(event("s1", "fabrikam/orders").to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = answer(
        p.post()
            .header("aeg-sas-key", &p.key1)
            .header("ce-specversion", "1.0")
            .header("ce-id", "b1")
            .header("ce-source", "fabrikam%2Forders")
            .header("ce-type", "Order.Created")
            .header("content-type", "application/json")
            .body(r#"{"binary": true}"#),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
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
    let server = Server::start_paused().await;
    let (t, p) = ready(&server, "SourceEventAttribute").await;
    assert_eq!(
        t.partner
            .patch(
                &t.namespace,
                json!({"properties": {"disableLocalAuth": true}})
            )
            .await
            .0,
        StatusCode::OK
    );
    let (status, body) = answer(
        p.batch(&json!([event("1", "fabrikam/orders")]))
            .header("aeg-sas-key", &p.key1),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("LocalAuthDisabled"))
    );
}

#[tokio::test]
async fn an_event_too_large_for_a_queue_message_is_stored_and_kept_whole() {
    let server = Server::start_paused().await;
    let (_t, p) = ready(&server, "SourceEventAttribute").await;
    let mut big = event("big", "fabrikam/orders");
    big["data"] = json!("é".repeat(400 * 1024));
    let text = format!("[{big}]");
    assert!(text.len() < 1024 * 1024 && text.len() > 512 * 1024);
    let (status, body) = answer(
        p.post()
            .header("content-type", "application/cloudevents-batch+json")
            .header("aeg-sas-key", &p.key1)
            .body(text),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let messages = drain(&server).await;
    let id = messages[0]["payload"].as_str().unwrap();
    let stored = shared::usecases::support::payloads::load_payload(&server.app.ports, id)
        .await
        .unwrap();
    assert_eq!(serde_json::from_str::<Value>(&stored).unwrap(), big);
}

#[tokio::test]
async fn a_channel_namespace_needs_a_known_channel_name() {
    let server = Server::start_paused().await;
    let (_t, p) = ready(&server, "ChannelNameHeader").await;
    let batch = json!([event("1", "anything")]);
    let (status, body) = answer(p.batch(&batch).header("aeg-sas-key", &p.key1)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("ChannelNameRequired"))
    );
    let (status, body) = answer(
        p.batch(&batch)
            .header("aeg-sas-key", &p.key1)
            .header("aeg-channel-name", "nope"),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("ChannelNotFound")),
        "{body}"
    );
    assert!(drain(&server).await.is_empty());
}
