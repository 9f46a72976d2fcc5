//! AWS destinations: their ARNs and properties, who may deliver where (bound accounts, never the
//! deployment's own resources), the messages events become, and what a service's answer means.

use std::sync::Arc;

use serde_json::{Value, json};
use shared::delivery::EventJson;
use shared::delivery::outcome::{Decision, reason, reason_after};
use shared::delivery::targets::{self, SOURCE_NOT_ALLOWED, TOO_LARGE, deduplication_id};
use shared::ports::{Attempt, Fault, ServiceError};
use shared::subscriptions::aws::{AwsTarget, DeadLetterDestination, Reserved, S3Bucket, Service};
use shared::subscriptions::{Destination, RetryPolicy};
use time::OffsetDateTime;

const ACCOUNT: &str = "123456789012";
const QUEUE: &str = "arn:aws:sqs:us-east-1:123456789012:orders";
const FIFO: &str = "arn:aws:sqs:us-east-1:123456789012:orders.fifo";

fn target(properties: Value) -> AwsTarget {
    serde_json::from_value(properties).unwrap()
}

fn bound() -> Vec<String> {
    vec![ACCOUNT.to_owned()]
}

fn check(service: Service, properties: Value) -> Result<AwsTarget, shared::error::Error> {
    let mut t = target(properties);
    t.check(service, "contoso", &bound(), &Reserved::default())
        .map(|_| t)
}

#[test]
fn each_destination_type_reads_from_azures_raw_json() {
    for (kind, arn) in [
        ("SqsQueue", QUEUE),
        ("SnsTopic", "arn:aws:sns:us-east-1:123456789012:orders"),
        (
            "EventBridgeBus",
            "arn:aws:events:us-east-1:123456789012:event-bus/orders",
        ),
        (
            "KinesisStream",
            "arn:aws:kinesis:us-east-1:123456789012:stream/orders",
        ),
        (
            "LambdaFunction",
            "arn:aws:lambda:us-east-1:123456789012:function:orders",
        ),
    ] {
        let d: Destination = serde_json::from_value(
            json!({"endpointType": kind, "properties": {"resourceId": arn}}),
        )
        .unwrap();
        let (service, t) = d.aws().unwrap();
        assert_eq!(service.endpoint_type(), kind);
        assert_eq!(t.resource_id, arn);
        let mut t = t.clone();
        t.check(service, "contoso", &bound(), &Reserved::default())
            .unwrap();
    }
}

#[test]
fn an_arn_of_another_service_or_shape_is_refused_with_an_example() {
    for (service, arn) in [
        (Service::Sqs, "arn:aws:sns:us-east-1:123456789012:orders"),
        (Service::Sqs, "orders"),
        (Service::Sqs, "arn:aws:sqs:us-east-1:12345:orders"),
        (
            Service::EventBridge,
            "arn:aws:events:us-east-1:123456789012:rule/x",
        ),
        (
            Service::Kinesis,
            "arn:aws:kinesis:us-east-1:123456789012:orders",
        ),
        (
            Service::Lambda,
            "arn:aws:lambda:us-east-1:123456789012:layer:x",
        ),
    ] {
        let e = check(service, json!({"resourceId": arn})).unwrap_err();
        assert_eq!(e.code, "InvalidDestination", "{arn}");
        assert!(
            e.message.contains("give one like arn:aws:"),
            "{}",
            e.message
        );
    }
}

#[test]
fn a_target_outside_the_owners_bound_accounts_is_not_allowed_and_the_account_is_named() {
    let e = check(
        Service::Sqs,
        json!({"resourceId": "arn:aws:sqs:us-east-1:210987654321:orders"}),
    )
    .unwrap_err();
    assert_eq!(e.code, "DestinationNotAllowed");
    assert!(e.message.contains("210987654321"), "{}", e.message);

    let e = check(
        Service::Sqs,
        json!({"resourceId": QUEUE, "roleArn": "arn:aws:iam::210987654321:role/x"}),
    )
    .unwrap_err();
    assert_eq!(
        e.code, "DestinationNotAllowed",
        "the role's account is bound too"
    );

    let mut t = target(json!({"resourceId": QUEUE}));
    let e = t
        .check(Service::Sqs, "contoso", &[], &Reserved::default())
        .unwrap_err();
    assert_eq!(e.code, "DestinationNotAllowed", "no bound account at all");
}

#[test]
fn the_deployments_own_resources_are_refused_even_in_a_bound_account() {
    let reserved = Reserved::parse(
        "arn:aws:sqs:us-east-1:123456789012:pe-FanoutQueue-1, arn:aws:lambda:us-east-1:123456789012:function:pe-*",
    );
    for (service, arn) in [
        (
            Service::Sqs,
            "arn:aws:sqs:us-east-1:123456789012:pe-FanoutQueue-1",
        ),
        (
            Service::Lambda,
            "arn:aws:lambda:us-east-1:123456789012:function:pe-Fanout-X",
        ),
    ] {
        let mut t = target(json!({"resourceId": arn}));
        let e = t
            .check(service, "contoso", &bound(), &reserved)
            .unwrap_err();
        assert_eq!(e.code, "DestinationNotAllowed", "{arn}");
        assert!(e.message.contains("own resources"), "{}", e.message);
    }
    let mut t = target(json!({"resourceId": QUEUE}));
    t.check(Service::Sqs, "contoso", &bound(), &reserved)
        .unwrap();
}

#[test]
fn a_checked_target_carries_its_owner_as_the_external_id_never_one_from_the_request() {
    let t = check(
        Service::Sqs,
        json!({"resourceId": QUEUE, "roleArn": "arn:aws:iam::123456789012:role/pe", "owner": "mallory"}),
    )
    .unwrap();
    let r = t.target(Service::Sqs);
    assert_eq!(r.external_id, "contoso");
    assert_eq!(
        r.role_arn.as_deref(),
        Some("arn:aws:iam::123456789012:role/pe")
    );
    let destination = Destination::SqsQueue(t);
    let shown = serde_json::to_value(destination.view()).unwrap();
    assert_eq!(shown["endpointType"], "SqsQueue");
    assert!(shown["properties"].get("owner").is_none(), "{shown}");
}

#[test]
fn properties_that_do_not_apply_to_the_service_are_refused() {
    for (service, properties, code) in [
        (
            Service::Sqs,
            json!({"resourceId": QUEUE, "messageGroupId": "$subject"}),
            "InvalidDestination",
        ),
        (
            Service::Sqs,
            json!({"resourceId": QUEUE, "partitionKey": "$subject"}),
            "InvalidDestination",
        ),
        (
            Service::Sqs,
            json!({"resourceId": QUEUE, "maxEventsPerBatch": 10}),
            "InvalidDestination",
        ),
        (
            Service::Sqs,
            json!({"resourceId": FIFO, "messageGroupId": ""}),
            "InvalidDestination",
        ),
        (
            Service::Kinesis,
            json!({"resourceId": "arn:aws:kinesis:us-east-1:123456789012:stream/s", "deliveryAttributeMappings": [{"name": "a", "type": "Static", "properties": {"value": "v"}}]}),
            "InvalidDeliveryAttributeMapping",
        ),
        (
            Service::Sqs,
            json!({"resourceId": QUEUE, "deliveryAttributeMappings": [{"name": "AWS.trace", "type": "Static", "properties": {"value": "v"}}]}),
            "InvalidDeliveryAttributeMapping",
        ),
        (
            Service::Lambda,
            json!({"resourceId": "arn:aws:lambda:us-east-1:123456789012:function:f", "maxEventsPerBatch": 0}),
            "InvalidDestination",
        ),
    ] {
        let e = check(service, properties.clone()).unwrap_err();
        assert_eq!(e.code, code, "{properties}");
    }
    check(
        Service::Sqs,
        json!({"resourceId": FIFO, "messageGroupId": "$subject"}),
    )
    .unwrap();
    check(
        Service::Lambda,
        json!({"resourceId": "arn:aws:lambda:us-east-1:123456789012:function:f", "maxEventsPerBatch": 10}),
    )
    .unwrap();
}

#[test]
fn a_dead_letter_bucket_names_its_owner_account_or_takes_the_only_bound_one() {
    let bucket = |p: Value| -> S3Bucket {
        let d: DeadLetterDestination =
            serde_json::from_value(json!({"endpointType": "S3Bucket", "properties": p})).unwrap();
        let DeadLetterDestination::S3Bucket(b) = d;
        b
    };
    let mut b = bucket(json!({"resourceId": "arn:aws:s3:::letters", "prefix": "pe/"}));
    b.check("contoso", &bound(), &Reserved::default()).unwrap();
    assert_eq!(b.target().expected_owner.as_deref(), Some(ACCOUNT));
    assert_eq!(b.bucket(), "letters");

    let two = vec![ACCOUNT.to_owned(), "210987654321".to_owned()];
    let mut b = bucket(json!({"resourceId": "arn:aws:s3:::letters"}));
    let e = b.check("contoso", &two, &Reserved::default()).unwrap_err();
    assert!(e.message.contains("expectedBucketOwner"), "{}", e.message);

    let mut b = bucket(
        json!({"resourceId": "arn:aws:s3:::letters", "expectedBucketOwner": "999999999999"}),
    );
    let e = b.check("contoso", &two, &Reserved::default()).unwrap_err();
    assert_eq!(e.code, "DestinationNotAllowed");
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
    let built = targets::messages(Service::Sqs, &t, "sub", &[raw.clone(), raw.clone()]);
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
        let built = targets::messages(Service::Sqs, &t, "sub", &list);
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
    let built = targets::messages(
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
    let built = targets::messages(Service::EventBridge, &t, "sub", &events(&[event("a"), aws]));
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
    let built = targets::messages(Service::Sqs, &t, "sub", &list);
    let refused = built[0].1.as_ref().unwrap_err();
    assert_eq!(refused.code, TOO_LARGE);
    assert!(refused.message.contains("262144"), "{}", refused.message);
    assert!(built[1].1.is_ok());
    let k = target(json!({"resourceId": "arn:aws:kinesis:us-east-1:123456789012:stream/s"}));
    assert!(
        targets::messages(Service::Kinesis, &k, "sub", &list)[0]
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
    let built = targets::messages(Service::Lambda, &t, "sub", &list);
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
    let built = targets::messages(Service::Sqs, &t, "sub", &events(&[event("a")]));
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
