//! The messages events become for AWS targets, and what a service's answer means.

use std::sync::Arc;

use serde_json::{Value, json};
use shared::delivery::EventJson;
use shared::delivery::aws_messages::{self, SOURCE_NOT_ALLOWED, TOO_LARGE, deduplication_id};
use shared::delivery::outcome::{Decision, reason, reason_after};
use shared::ports::{Attempt, Fault, ServiceError};
use shared::subscriptions::RetryPolicy;
use shared::subscriptions::aws::{AwsTarget, Service};
use time::OffsetDateTime;

const QUEUE: &str = "arn:aws:sqs:us-east-1:123456789012:orders";
const FIFO: &str = "arn:aws:sqs:us-east-1:123456789012:orders.fifo";

fn target(properties: Value) -> AwsTarget {
    serde_json::from_value(properties).unwrap()
}

fn events(list: &[Value]) -> Vec<EventJson> {
    list.iter().map(|e| Arc::from(e.to_string())).collect()
}

fn event(id: &str) -> Value {
    json!({"specversion": "1.0", "id": id, "source": "fabrikam/orders", "type": "Orders.Created", "subject": format!("orders/{id}"), "data": {"n": 1}})
}

#[test]
fn each_event_is_one_message_with_the_bytes_as_published() {
    let raw: EventJson =
        Arc::from(r#"{"specversion":"1.0", "id":"a","source":"s","type":"t","data":{"x": 1.50}}"#);
    let t = target(json!({"resourceId": QUEUE}));
    let built = aws_messages::messages(Service::Sqs, &t, "sub", &[raw.clone(), raw.clone()]);
    assert_eq!(built.len(), 2);
    let (positions, message) = &built[1];
    assert_eq!(positions, &[1]);
    assert_eq!(message.as_ref().unwrap().body, raw.as_ref());
    assert!(
        message.as_ref().unwrap().group_id.is_none(),
        "a standard queue"
    );
}

#[test]
fn fifo_groups_come_from_the_chosen_attribute_or_the_source_and_dedup_ids_are_stable_per_subscription()
 {
    let list = events(&[event("a")]);
    let group = |given: Value| {
        let t = target(json!({"resourceId": FIFO, "messageGroupId": given}));
        let t = if t.message_group_id.is_none() {
            target(json!({"resourceId": FIFO}))
        } else {
            t
        };
        let built = aws_messages::messages(Service::Sqs, &t, "sub", &list);
        built[0].1.as_ref().unwrap().clone()
    };
    assert_eq!(
        group(json!("$subject")).group_id.as_deref(),
        Some("orders/a")
    );
    assert_eq!(
        group(Value::Null).group_id.as_deref(),
        Some("fabrikam/orders")
    );
    assert_eq!(
        group(json!("tenant-1")).group_id.as_deref(),
        Some("tenant-1")
    );
    assert_eq!(
        group(json!("$missing")).group_id.as_deref(),
        Some("fabrikam/orders"),
        "an attribute the event lacks falls back to the source"
    );
    let first = group(json!("$subject")).deduplication_id.unwrap();
    assert_eq!(first, group(json!("$subject")).deduplication_id.unwrap());
    assert_eq!(first, deduplication_id("sub", &list[0]));
    assert_ne!(first, deduplication_id("other", &list[0]));
}

#[test]
fn kinesis_keys_default_to_the_subject_then_the_id() {
    let t = target(json!({"resourceId": "arn:aws:kinesis:us-east-1:123456789012:stream/s"}));
    let mut no_subject = event("b");
    no_subject.as_object_mut().unwrap().remove("subject");
    let built = aws_messages::messages(
        Service::Kinesis,
        &t,
        "sub",
        &events(&[event("a"), no_subject]),
    );
    assert_eq!(
        built[0].1.as_ref().unwrap().partition_key.as_deref(),
        Some("orders/a")
    );
    assert_eq!(
        built[1].1.as_ref().unwrap().partition_key.as_deref(),
        Some("b")
    );
}

#[test]
fn eventbridge_entries_take_the_source_and_type_and_refuse_aws_sources() {
    let t = target(json!({"resourceId": "arn:aws:events:us-east-1:123456789012:event-bus/b"}));
    let mut aws = event("b");
    aws["source"] = json!("aws.s3");
    let built =
        aws_messages::messages(Service::EventBridge, &t, "sub", &events(&[event("a"), aws]));
    let ok = built[0].1.as_ref().unwrap();
    assert_eq!(ok.source.as_deref(), Some("fabrikam/orders"));
    assert_eq!(ok.detail_type.as_deref(), Some("Orders.Created"));
    let refused = built[1].1.as_ref().unwrap_err();
    assert_eq!(
        (refused.fault, refused.code.as_str()),
        (Fault::Unfit, SOURCE_NOT_ALLOWED)
    );
    assert!(refused.message.contains("aws.s3"));
}

#[test]
fn an_event_larger_than_the_service_carries_is_refused_with_its_size() {
    let mut big = event("big");
    big["data"] = json!("x".repeat(300 * 1024));
    let list = events(&[big, event("small")]);
    let t = target(json!({"resourceId": QUEUE}));
    let built = aws_messages::messages(Service::Sqs, &t, "sub", &list);
    let refused = built[0].1.as_ref().unwrap_err();
    assert_eq!(refused.code, TOO_LARGE);
    assert!(refused.message.contains("262144"), "{}", refused.message);
    assert!(built[1].1.is_ok());
    let k = target(json!({"resourceId": "arn:aws:kinesis:us-east-1:123456789012:stream/s"}));
    assert!(
        aws_messages::messages(Service::Kinesis, &k, "sub", &list)[0]
            .1
            .is_ok(),
        "Kinesis takes 1 MiB"
    );
}

#[test]
fn a_batching_lambda_gets_one_array_of_every_event() {
    let t = target(
        json!({"resourceId": "arn:aws:lambda:us-east-1:123456789012:function:f", "maxEventsPerBatch": 5}),
    );
    let list = events(&[event("a"), event("b")]);
    let built = aws_messages::messages(Service::Lambda, &t, "sub", &list);
    assert_eq!(built.len(), 1);
    assert_eq!(built[0].0, [0, 1]);
    let body: Value = serde_json::from_str(&built[0].1.as_ref().unwrap().body).unwrap();
    assert_eq!(body[1]["id"], "b");
    assert_eq!(t.batching(Service::Lambda), (5, 64 * 1024));
}

#[test]
fn delivery_attributes_become_message_attributes_static_and_from_the_event() {
    let t = target(json!({"resourceId": QUEUE, "deliveryAttributeMappings": [
        {"name": "tenant", "type": "Static", "properties": {"value": "contoso"}},
        {"name": "kind", "type": "Dynamic", "properties": {"sourceField": "type"}},
        {"name": "absent", "type": "Dynamic", "properties": {"sourceField": "nothere"}}
    ]}));
    let built = aws_messages::messages(Service::Sqs, &t, "sub", &events(&[event("a")]));
    assert_eq!(
        built[0].1.as_ref().unwrap().attributes,
        [
            ("tenant".to_owned(), "contoso".to_owned()),
            ("kind".to_owned(), "Orders.Created".to_owned())
        ]
    );
}

fn service(fault: Fault, code: &str) -> Attempt {
    Attempt::Service(ServiceError::new(fault, 400, code, "what the service said"))
}

#[test]
fn throttling_and_outages_are_retried_and_refusals_are_dead_lettered_with_the_services_code() {
    let now = OffsetDateTime::now_utc();
    let policy = RetryPolicy::default();
    let decide = |a: &Attempt| shared::delivery::decide(1, a, &policy, now, now, 0.5);
    assert!(matches!(
        decide(&service(Fault::Throttled, "ThrottlingException")),
        Decision::Retry { .. }
    ));
    assert!(matches!(
        decide(&service(Fault::Unavailable, "InternalError")),
        Decision::Retry { .. }
    ));
    for (fault, code) in [
        (Fault::Denied, "AccessDenied"),
        (Fault::Missing, "AWS.SimpleQueueService.NonExistentQueue"),
        (Fault::Unfit, TOO_LARGE),
    ] {
        let attempt = service(fault, code);
        let Decision::DeadLetter { reason: why } = decide(&attempt) else {
            panic!("{code} is dead-lettered at once");
        };
        assert_eq!(why, reason::CLIENT_ERROR);
        assert_eq!(
            reason_after(why, &attempt),
            format!("UndeliverableDueToClientError: {code}: what the service said")
        );
    }
    let outcome = |f| shared::delivery::classify(&service(f, "x")).name();
    assert_eq!(
        [
            Fault::Throttled,
            Fault::Unavailable,
            Fault::Denied,
            Fault::Missing,
            Fault::Unfit
        ]
        .map(outcome),
        ["Busy", "Aborted", "Forbidden", "NotFound", "BadRequest"]
    );
}
