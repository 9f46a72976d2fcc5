//! What a delivery sends: batches, the request (mode, headers, delivery attributes), rate
//! limits, and the queue messages that carry delivery tasks.

use std::sync::Arc;

use shared::delivery::batch::batches;
use shared::delivery::rate::RateLimits;
use shared::delivery::{
    FanoutMessage, Message, TaskHead, TaskMessage, request, task_message,
    task_message_with_payloads,
};
use shared::subscriptions::WebHook;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const T0: OffsetDateTime = datetime!(2026-11-24 10:00:00 UTC);

#[test]
fn batches_respect_max_events_and_the_preferred_size_without_waiting_to_fill() {
    assert_eq!(
        batches(&[10; 5], 1, 65_536),
        vec![0..1, 1..2, 2..3, 3..4, 4..5]
    );
    assert_eq!(batches(&[10; 5], 2, 65_536), vec![0..2, 2..4, 4..5]);
    assert_eq!(batches(&[10; 3], 10, 65_536), vec![0..3]);
    assert_eq!(batches(&[600, 600, 600], 10, 1024), vec![0..1, 1..2, 2..3]);
    assert_eq!(batches(&[400, 400, 400], 10, 1024), vec![0..2, 2..3]);
    assert_eq!(
        batches(&[5000, 10, 10], 10, 1024),
        vec![0..1, 1..3],
        "an event over the preferred size goes alone"
    );
    assert!(batches(&[], 10, 1024).is_empty());
}

fn hook(max_events: i64, mappings: serde_json::Value) -> WebHook {
    serde_json::from_value(serde_json::json!({
        "endpointUrl": "https://example.com/hook?code=secret",
        "maxEventsPerBatch": max_events,
        "deliveryAttributeMappings": mappings,
    }))
    .unwrap()
}

fn header<'a>(request: &'a shared::ports::DeliveryRequest, name: &str) -> Option<&'a str> {
    request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[test]
fn one_event_goes_in_structured_mode_with_event_grids_headers() {
    let event: Arc<str> =
        r#"{"specversion":"1.0","id":"1","source":"s","type":"t","dataversion":"2.0"}"#.into();
    let r = request::build(
        "mysub",
        &hook(1, serde_json::json!([])),
        std::slice::from_ref(&event),
        3,
    );
    assert_eq!(r.url, "https://example.com/hook?code=secret");
    assert_eq!(r.body, *event);
    assert_eq!(header(&r, "content-type"), Some(request::STRUCTURED));
    assert_eq!(header(&r, "aeg-subscription-name"), Some("mysub"));
    assert_eq!(header(&r, "aeg-delivery-count"), Some("3"));
    assert_eq!(header(&r, "aeg-event-type"), Some("Notification"));
    assert_eq!(header(&r, "aeg-metadata-version"), Some("1"));
    assert_eq!(header(&r, "aeg-data-version"), Some("2.0"));
}

#[test]
fn a_batching_subscription_gets_an_array_even_of_one_event() {
    let a: Arc<str> = r#"{"id":"a"}"#.into();
    let b: Arc<str> = r#"{"id":"b"}"#.into();
    let r = request::build("s", &hook(10, serde_json::json!([])), &[a.clone(), b], 0);
    assert_eq!(r.body, r#"[{"id":"a"},{"id":"b"}]"#);
    assert_eq!(header(&r, "content-type"), Some(request::BATCH));
    let r = request::build("s", &hook(10, serde_json::json!([])), &[a], 0);
    assert_eq!(r.body, r#"[{"id":"a"}]"#);
    assert_eq!(header(&r, "aeg-data-version"), None);
}

#[test]
fn delivery_attribute_mappings_add_static_and_dynamic_headers() {
    let mappings = serde_json::json!([
        {"name": "X-Static", "type": "Static", "properties": {"value": "v1", "isSecret": false}},
        {"name": "X-Secret", "type": "Static", "properties": {"value": "s3cr3t", "isSecret": true}},
        {"name": "X-Subject", "type": "Dynamic", "properties": {"sourceField": "subject"}},
        {"name": "X-Tenant", "type": "Dynamic", "properties": {"sourceField": "data.tenant.id"}},
        {"name": "X-Count", "type": "Dynamic", "properties": {"sourceField": "data.count"}},
        {"name": "X-Missing", "type": "Dynamic", "properties": {"sourceField": "data.nope"}},
    ]);
    let event: Arc<str> = r#"{"specversion":"1.0","id":"1","source":"s","type":"t","subject":"orders/1","data":{"tenant":{"id":"t-9"},"count":4}}"#.into();
    let r = request::build("s", &hook(1, mappings), &[event], 0);
    assert_eq!(header(&r, "X-Static"), Some("v1"));
    assert_eq!(header(&r, "X-Secret"), Some("s3cr3t"));
    assert_eq!(header(&r, "X-Subject"), Some("orders/1"));
    assert_eq!(header(&r, "X-Tenant"), Some("t-9"));
    assert_eq!(header(&r, "X-Count"), Some("4"));
    assert_eq!(header(&r, "X-Missing"), None);
}

#[test]
fn an_allowed_rate_spaces_requests_once_a_minutes_worth_is_used() {
    let mut limits = RateLimits::default();
    for _ in 0..60 {
        assert_eq!(limits.take("s", 60, T0), None);
    }
    let wait = limits.take("s", 60, T0).unwrap();
    assert!((wait.as_seconds_f64() - 1.0).abs() < 0.01, "{wait}");
    assert_eq!(limits.take("s", 60, T0 + Duration::seconds(1)), None);
    assert_eq!(
        limits.take("other", 60, T0),
        None,
        "buckets are per subscription"
    );
}

#[test]
fn task_messages_round_trip_and_anything_else_is_malformed() {
    let head = TaskHead {
        subscription: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.EventGrid/partnerTopics/t/eventSubscriptions/s".into(),
        attempts: 2,
        published_at: T0,
        since: T0,
        due: T0 + Duration::seconds(30),
        last: None,
    };
    let events: Vec<Arc<str>> = vec![r#"{"id":"1"}"#.into(), r#"{"id":"2"}"#.into()];
    match Message::parse(&task_message(&head, &events).unwrap()).unwrap() {
        Message::Task(TaskMessage {
            head: parsed,
            events: got,
            payloads,
        }) => {
            assert_eq!(parsed, head);
            assert_eq!(got, events);
            assert!(payloads.is_empty());
        }
        other => panic!("{other:?}"),
    }
    let with_payload = task_message_with_payloads(&head, &["p1".into()]).unwrap();
    assert!(matches!(
        Message::parse(&with_payload).unwrap(),
        Message::Task(TaskMessage { payloads, .. }) if payloads == ["p1"]
    ));
    let fanout = r#"{"topic":"/x","publishedAt":"2026-11-24T10:00:00Z","events":[{"id":"1"}]}"#;
    assert!(
        matches!(Message::parse(fanout).unwrap(), Message::Fanout(FanoutMessage { events, .. }) if events.len() == 1)
    );
    for bad in ["", "not json", "{}", r#"{"topic":"/x"}"#, "[1,2]"] {
        let e = Message::parse(bad).unwrap_err();
        assert_eq!(e.code, shared::delivery::MALFORMED_MESSAGE, "{bad}");
    }
}
