//! The trace context reaches an SQS target as message attributes beside the event's own.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{event, ids, setup};

const PARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const OWN: &str = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";

#[tokio::test]
async fn an_sqs_target_gets_the_trace_context_as_message_attributes() {
    let s = setup().await;
    let (queue, _) = s.subscribe_queue("traced", false).await;
    let mut own = event("own");
    own["traceparent"] = json!(OWN);
    let request = s
        .topic
        .publisher
        .batch(&json!([event("plain"), own]))
        .header("aeg-sas-key", &s.topic.key)
        .header("traceparent", PARENT)
        .header("tracestate", "congo=t61rcWkgMzE");
    let (status, body) = e2e::answer(request).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let mut got = s.aws.receive(&queue, 2, 20).await;
    got.sort_by_key(|m| ids(std::slice::from_ref(m))[0].to_string());
    assert_eq!(ids(&got), ["own", "plain"]);
    let attribute = |i: usize, name: &str| {
        got[i]
            .message_attributes()
            .and_then(|a| a.get(name))
            .and_then(|v| v.string_value())
            .map(str::to_owned)
    };
    let body = |i: usize| serde_json::from_str::<Value>(got[i].body().unwrap()).unwrap();
    assert_eq!(attribute(1, "traceparent").as_deref(), Some(PARENT));
    assert_eq!(
        attribute(1, "tracestate").as_deref(),
        Some("congo=t61rcWkgMzE")
    );
    assert_eq!(body(1)["traceparent"], PARENT);
    assert_eq!(body(1)["tracestate"], "congo=t61rcWkgMzE");
    assert_eq!(attribute(0, "traceparent").as_deref(), Some(OWN));
    assert_eq!(attribute(0, "tracestate"), None);
    assert_eq!(body(0)["traceparent"], OWN, "the event's own is kept");
}
