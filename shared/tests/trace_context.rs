//! W3C trace context: which `traceparent` and `tracestate` values are carried, how a publish
//! request's context reaches its events, and how an event's context reaches its deliveries
//! (webhook headers, SQS and SNS message attributes).

use std::sync::Arc;

use serde_json::{Value, json};
use shared::delivery::{EventJson, aws_messages, request};
use shared::ingest::cloudevents::{self, ContentMode};
use shared::ingest::trace::{TraceContext, is_traceparent, is_tracestate};
use shared::subscriptions::WebHook;
use shared::subscriptions::aws::{AwsTarget, Service};

const PARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const OTHER_PARENT: &str = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";

#[test]
fn a_traceparent_is_carried_only_in_the_w3c_format() {
    let good = [
        PARENT,
        OTHER_PARENT,
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future",
    ];
    for value in good {
        assert!(is_traceparent(value), "{value}");
    }
    let bad = [
        "",
        "00-abc",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
        "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
        "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
    ];
    for value in bad {
        assert!(!is_traceparent(value), "{value}");
    }
    let long_tail = format!(
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-{}",
        "a".repeat(300)
    );
    assert!(
        !is_traceparent(&long_tail),
        "a later version's fields are capped"
    );
    let spaced = "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-a b";
    assert!(!is_traceparent(spaced), "and printable");
}

#[test]
fn a_tracestate_is_carried_only_as_a_w3c_list() {
    for value in [
        "congo=t61rcWkgMzE",
        "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
        "rojo=1, congo=2",
        "tenant@vendor=x",
        "k=\"quoted\"",
    ] {
        assert!(is_tracestate(value), "{value}");
    }
    let many = (0..33)
        .map(|i| format!("k{i}=v"))
        .collect::<Vec<_>>()
        .join(",");
    for value in [
        "",
        "novalue",
        "Upper=1",
        "k=a,b",
        "k=",
        "k=\u{7}",
        many.as_str(),
        &format!("k={}", "v".repeat(600)),
    ] {
        assert!(!is_tracestate(value), "{value}");
    }
}

#[test]
fn a_malformed_traceparent_header_is_ignored_and_a_malformed_tracestate_is_dropped() {
    assert_eq!(
        TraceContext::from_headers(Some("00-abc"), Some("a=1")),
        None
    );
    assert_eq!(TraceContext::from_headers(None, Some("a=1")), None);
    let context = TraceContext::from_headers(Some(PARENT), Some("Bad State")).unwrap();
    assert_eq!(context.traceparent, PARENT);
    assert_eq!(context.tracestate, None);
    let context = TraceContext::from_headers(Some(&format!(" {PARENT} ")), Some("a=1")).unwrap();
    assert_eq!(context.traceparent, PARENT);
    assert_eq!(context.tracestate.as_deref(), Some("a=1"));
}

fn event(id: &str) -> Value {
    json!({"specversion": "1.0", "id": id, "source": "fabrikam/orders", "type": "Order.Created"})
}

#[test]
fn a_request_context_is_added_to_each_event_without_a_traceparent_of_its_own() {
    let mut own = event("own");
    own["traceparent"] = json!(OTHER_PARENT);
    let mut nulled = event("null");
    nulled["traceparent"] = Value::Null;
    let body = json!([event("plain"), own, nulled]).to_string();
    let mut events = cloudevents::parse(ContentMode::Batch, body.as_bytes()).unwrap();
    let context = TraceContext::from_headers(Some(PARENT), Some("rojo=\"1\"")).unwrap();
    context.apply(&mut events);
    let read: Vec<Value> = events
        .iter()
        .map(|e| serde_json::from_str(&e.json).unwrap())
        .collect();
    assert_eq!(read[0]["traceparent"], PARENT);
    assert_eq!(read[0]["tracestate"], "rojo=\"1\"");
    assert_eq!(read[0]["id"], "plain");
    assert_eq!(
        read[1]["traceparent"], OTHER_PARENT,
        "the event's own is kept"
    );
    assert!(read[1].get("tracestate").is_none());
    assert_eq!(
        read[2]["traceparent"],
        Value::Null,
        "an attribute given null stays"
    );
    for (i, e) in events.iter().enumerate() {
        cloudevents::validate(i, &e.json).unwrap();
    }
}

#[test]
fn an_event_without_a_request_context_is_left_byte_for_byte() {
    let body = br#"[ {"specversion":"1.0", "id":"a","source":"s","type":"t"} ]"#;
    let events = cloudevents::parse(ContentMode::Batch, body).unwrap();
    assert_eq!(
        events[0].json,
        r#"{"specversion":"1.0", "id":"a","source":"s","type":"t"}"#
    );
    assert!(!events[0].traceparent);
}

fn json_events(list: &[Value]) -> Vec<EventJson> {
    list.iter().map(|e| Arc::from(e.to_string())).collect()
}

fn traced(id: &str, parent: &str, state: Option<&str>) -> Value {
    let mut e = event(id);
    e["traceparent"] = json!(parent);
    if let Some(state) = state {
        e["tracestate"] = json!(state);
    }
    e
}

fn hook(max_events: i64, mappings: Value) -> WebHook {
    serde_json::from_value(json!({
        "endpointUrl": "https://hooks.example/h",
        "maxEventsPerBatch": max_events,
        "deliveryAttributeMappings": mappings,
    }))
    .unwrap()
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect()
}

#[test]
fn a_delivery_sends_the_first_events_valid_trace_context_as_headers() {
    let events = json_events(&[
        traced("a", PARENT, Some("rojo=1")),
        traced("b", OTHER_PARENT, None),
    ]);
    let built = request::build("s", &hook(10, json!([])), &events, 0);
    assert_eq!(header(&built.headers, "traceparent"), [PARENT]);
    assert_eq!(header(&built.headers, "tracestate"), ["rojo=1"]);

    let one = request::build("s", &hook(1, json!([])), &events[1..], 0);
    assert_eq!(header(&one.headers, "traceparent"), [OTHER_PARENT]);
    assert!(header(&one.headers, "tracestate").is_empty());

    let malformed = json_events(&[traced("c", "00-abc\r\nx: y", Some("rojo=1"))]);
    let built = request::build("s", &hook(1, json!([])), &malformed, 0);
    assert!(header(&built.headers, "traceparent").is_empty());
    assert!(header(&built.headers, "tracestate").is_empty());

    let plain = request::build("s", &hook(1, json!([])), &json_events(&[event("d")]), 0);
    assert!(header(&plain.headers, "traceparent").is_empty());
}

#[test]
fn a_delivery_attribute_named_traceparent_wins_over_the_events() {
    let mappings =
        json!([{"name": "TraceParent", "type": "Static", "properties": {"value": "mine"}}]);
    let events = json_events(&[traced("a", PARENT, Some("rojo=1"))]);
    let built = request::build("s", &hook(1, mappings), &events, 0);
    assert_eq!(header(&built.headers, "traceparent"), ["mine"]);
    assert_eq!(header(&built.headers, "tracestate"), ["rojo=1"]);
}

fn queue(mappings: Value) -> AwsTarget {
    serde_json::from_value(json!({
        "resourceId": "arn:aws:sqs:us-east-1:123456789012:orders",
        "deliveryAttributeMappings": mappings,
    }))
    .unwrap()
}

fn attribute<'a>(attributes: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn sqs_and_sns_messages_carry_the_trace_context_as_message_attributes() {
    let events = json_events(&[traced("a", PARENT, Some("rojo=1")), event("b")]);
    for service in [Service::Sqs, Service::Sns] {
        let built = aws_messages::messages(service, &queue(json!([])), "sub", &events);
        let first = built[0].1.as_ref().unwrap();
        assert_eq!(attribute(&first.attributes, "traceparent"), Some(PARENT));
        assert_eq!(attribute(&first.attributes, "tracestate"), Some("rojo=1"));
        assert!(built[1].1.as_ref().unwrap().attributes.is_empty());
    }
    let kinesis = aws_messages::messages(Service::Kinesis, &queue(json!([])), "sub", &events);
    assert!(kinesis[0].1.as_ref().unwrap().attributes.is_empty());
}

#[test]
fn the_trace_context_never_pushes_a_message_past_ten_attributes() {
    let mappings: Vec<Value> = (0..9)
        .map(|i| json!({"name": format!("a{i}"), "type": "Static", "properties": {"value": "v"}}))
        .collect();
    let events = json_events(&[traced("a", PARENT, Some("rojo=1"))]);
    let built = aws_messages::messages(Service::Sqs, &queue(json!(mappings)), "sub", &events);
    let attributes = &built[0].1.as_ref().unwrap().attributes;
    assert_eq!(attributes.len(), 10);
    assert_eq!(attribute(attributes, "traceparent"), Some(PARENT));
    assert_eq!(attribute(attributes, "tracestate"), None);
}
