//! W3C trace context end to end: a publisher's `traceparent`/`tracestate` (request headers, or
//! the events' own extension attributes) reach a real receiver as headers and, unchanged, as
//! the events' extension attributes.

use e2e::python::python;
use e2e::receiver::Receiver;
use e2e::{Answer, Server, Tenants, active_topic_on, order_event, webhook};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const STATE: &str = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE";
const OWN: &str = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";

/// The single event each of `receiver`'s `name` deliveries carried, by id.
fn by_id(receiver: &Receiver, name: &str) -> Vec<(String, e2e::receiver::Delivery)> {
    let mut got: Vec<(String, e2e::receiver::Delivery)> = receiver
        .deliveries(name)
        .into_iter()
        .map(|d| (d.events()[0]["id"].as_str().unwrap().to_owned(), d))
        .collect();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_azure_sdk_publish_with_a_traceparent_header_arrives_with_the_header_and_the_extension()
{
    let server = Server::start().await;
    let t = Tenants::new(&server, "ChannelNameHeader").await;
    let topic = t
        .activated_topic("sdk-channel", "sdk-topic", "fabrikam/orders")
        .await;
    let receiver = Receiver::start().await;
    t.customer
        .put(
            &format!("{topic}/eventSubscriptions/traced"),
            json!({"properties": {"destination": webhook(&receiver.url("traced"))}}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let endpoint = t.publisher().await.url;
    let keys = t.keys().await;
    let script = format!("{}/compat/publish_traced.py", env!("CARGO_MANIFEST_DIR"));
    let output = tokio::process::Command::new(python())
        .args([
            script.as_str(),
            &endpoint,
            keys["key1"].as_str().unwrap(),
            "sdk-channel",
            PARENT,
            STATE,
            OWN,
        ])
        .output()
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    receiver.wait_for("traced", 3).await;
    let got = by_id(&receiver, "traced");
    let ids: Vec<&str> = got.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["sdk-header-only", "sdk-own", "sdk-plain"]);
    let (_, header_only) = &got[0];
    assert_eq!(header_only.header("traceparent"), Some(PARENT));
    assert_eq!(header_only.events()[0]["traceparent"], PARENT);
    let (_, own) = &got[1];
    assert_eq!(own.header("traceparent"), Some(OWN));
    assert_eq!(own.events()[0]["traceparent"], OWN);
    assert_eq!(own.header("tracestate"), None);
    let (_, plain) = &got[2];
    assert_eq!(plain.header("traceparent"), Some(PARENT));
    assert_eq!(plain.header("tracestate"), Some(STATE));
    assert_eq!(plain.events()[0]["traceparent"], PARENT);
    assert_eq!(plain.events()[0]["tracestate"], STATE);
}

#[tokio::test]
async fn the_request_context_is_added_only_to_events_without_their_own_and_a_malformed_one_is_ignored()
 {
    let (_server, topic, hooks) = active_topic_on(Server::builder()).await;
    topic
        .subscribe(
            "batched",
            json!({"destination": {"endpointType": "WebHook", "properties": {
                "endpointUrl": hooks.url("batched"), "maxEventsPerBatch": 10}}}),
        )
        .await;
    let mut own = order_event("own", "Order.Created", json!({}));
    own["traceparent"] = json!(OWN);
    own["tracestate"] = json!("mine=1");
    let publish = |events: Value, traceparent: &str| {
        topic
            .publisher
            .batch(&events)
            .header("aeg-sas-key", &topic.key)
            .header("traceparent", traceparent)
            .header("tracestate", STATE)
    };
    let events = json!([own, order_event("plain", "Order.Created", json!({}))]);
    e2e::answer(publish(events, PARENT))
        .await
        .expect_status(StatusCode::OK);
    let got = hooks.wait_for("batched", 1).await;
    let events = got[0].events();
    assert_eq!(events[0]["traceparent"], OWN);
    assert_eq!(events[0]["tracestate"], "mine=1");
    assert_eq!(events[1]["traceparent"], PARENT);
    assert_eq!(events[1]["tracestate"], STATE);
    assert_eq!(
        got[0].header("traceparent"),
        Some(OWN),
        "a batch's headers come from its first event"
    );
    assert_eq!(got[0].header("tracestate"), Some("mine=1"));

    let events = json!([order_event("malformed", "Order.Created", json!({}))]);
    e2e::answer(publish(events, "00-not-a-trace"))
        .await
        .expect_status(StatusCode::OK);
    let got = hooks.wait_for("batched", 2).await;
    assert!(
        got[1].events()[0].get("traceparent").is_none(),
        "{:?}",
        got[1].body
    );
    assert!(got[1].events()[0].get("tracestate").is_none());
    assert_eq!(got[1].header("traceparent"), None);
}
