//! AWS destinations: their ARNs and properties, and who may deliver where (bound accounts,
//! never the deployment's own resources).

use serde_json::{Value, json};
use shared::subscriptions::Destination;
use shared::subscriptions::aws::{AwsTarget, DeadLetterDestination, Reserved, S3Bucket, Service};

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

#[test]
fn arns_are_read_strictly_so_one_resource_has_one_spelling() {
    for arn in [
        "arn:aws:sqs:us-east-1:123456789012:orders ",
        "arn:aws:sqs:us-east-1:123456789012:orders:extra",
        "arn:aws:sqs:US-EAST-1:123456789012:orders",
        "arn:aws:sqs:useast1:123456789012:orders",
        "arn:aws-xx:sqs:us-east-1:123456789012:orders",
        "arn:aws:sqs:us-east-1:123456789012:or/ders",
        "arn:aws:sqs:us-east-1:123456789012:",
    ] {
        let e = check(Service::Sqs, json!({"resourceId": arn})).unwrap_err();
        assert_eq!(e.code, "InvalidDestination", "{arn:?}");
    }
    check(
        Service::Lambda,
        json!({"resourceId": "arn:aws:lambda:us-east-1:123456789012:function:f:live"}),
    )
    .unwrap();
    let mut t = target(json!({"resourceId": QUEUE, "roleArn": "arn:aws:iam::123456789012:user/x"}));
    let e = t
        .check(Service::Sqs, "contoso", &bound(), &Reserved::default())
        .unwrap_err();
    assert_eq!(e.code, "InvalidDestination", "a user is not a role");
}

#[test]
fn the_deployments_own_resources_are_refused_in_any_partition_and_with_any_qualifier() {
    let reserved = Reserved::parse(
        "arn:aws:sqs:us-east-1:123456789012:pe-DeliveryQueue-1,arn:aws:lambda:us-east-1:123456789012:function:pe-Ingest",
    );
    for (service, arn) in [
        (
            Service::Sqs,
            "arn:aws-cn:sqs:us-east-1:123456789012:pe-DeliveryQueue-1",
        ),
        (
            Service::Lambda,
            "arn:aws:lambda:us-east-1:123456789012:function:pe-Ingest:$LATEST",
        ),
        (
            Service::Lambda,
            "arn:aws-us-gov:lambda:us-east-1:123456789012:function:pe-Ingest",
        ),
    ] {
        let mut t = target(json!({"resourceId": arn}));
        let e = t
            .check(service, "contoso", &bound(), &reserved)
            .unwrap_err();
        assert_eq!(e.code, "DestinationNotAllowed", "{arn}");
    }
}
