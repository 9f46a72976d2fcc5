//! Who may deliver where: only to the owner's bound accounts, never to the deployment's own
//! resources, only to a target that answers, through the owner's role when one is named; and
//! nothing at all on a server without AWS targets.

use e2e::aws_targets::{ACCOUNT, destination};
use e2e::{ActiveTopic, Answer, Server};
use reqwest::StatusCode;
use serde_json::json;

use super::{Saying, event, setup, setup_on};

#[tokio::test]
async fn a_target_outside_the_bound_accounts_is_refused_until_the_operator_binds_it() {
    let s = setup().await;
    s.bind(&[]).await;
    let queue = s.aws.queue(false).await;
    let properties =
        json!({"destination": destination("SqsQueue", json!({"resourceId": queue.arn}))});
    s.try_subscribe("queue", properties.clone())
        .await
        .expect_error(StatusCode::BAD_REQUEST, "DestinationNotAllowed")
        .saying(ACCOUNT);

    let bound = s.bind(&["210987654321", ACCOUNT, ACCOUNT]).await;
    assert_eq!(
        bound["awsAccounts"],
        json!([ACCOUNT, "210987654321"]),
        "sorted, without repeats"
    );
    let (status, body) = s.try_subscribe("queue", properties).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let shown = &body["properties"]["destination"];
    assert_eq!(shown["endpointType"], "SqsQueue");
    assert_eq!(shown["properties"]["resourceId"], queue.arn.as_str());
    assert!(shown["properties"].get("owner").is_none(), "{shown}");
}

#[tokio::test]
async fn only_the_operator_binds_accounts_and_only_twelve_digit_ones() {
    let s = setup().await;
    let path = format!("/admin/principals/{}", s.owner());
    s.server
        .operator()
        .patch(&path, json!({"awsAccounts": ["12345"]}))
        .await
        .expect_error(StatusCode::BAD_REQUEST, "InvalidProperty")
        .saying("12 digits");
    s.topic
        .owner
        .patch(&path, json!({"awsAccounts": [ACCOUNT]}))
        .await
        .expect_error(StatusCode::FORBIDDEN, "AuthorizationFailed");
    s.server
        .operator()
        .patch(
            "/admin/principals/nobody",
            json!({"awsAccounts": [ACCOUNT]}),
        )
        .await
        .expect_status(StatusCode::NOT_FOUND);
    let created = s
        .server
        .operator()
        .post(
            "/admin/principals",
            json!({"name": "bound", "subscriptions": [e2e::new_subscription()], "awsAccounts": [ACCOUNT]}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    assert_eq!(created["awsAccounts"], json!([ACCOUNT]));
}

#[tokio::test]
async fn the_deployments_own_resources_are_refused_even_in_a_bound_account() {
    let moto = e2e::aws::moto();
    let aws = e2e::aws_targets::Aws::new(&moto);
    let own = aws.queue(false).await;
    let s =
        setup_on(Server::builder().reserved_arns(&format!("{},arn:aws:lambda:*", own.arn))).await;
    s.try_subscribe(
        "own",
        json!({"destination": destination("SqsQueue", json!({"resourceId": own.arn}))}),
    )
    .await
    .expect_error(StatusCode::BAD_REQUEST, "DestinationNotAllowed")
    .saying("own resources");
}

#[tokio::test]
async fn a_target_that_does_not_answer_is_refused_with_what_the_service_said() {
    let s = setup().await;
    let missing = format!(
        "arn:aws:sqs:us-east-1:{ACCOUNT}:no-such-queue-{}",
        uuid::Uuid::new_v4().simple()
    );
    s.try_subscribe(
        "queue",
        json!({"destination": destination("SqsQueue", json!({"resourceId": missing}))}),
    )
    .await
    .expect_error(StatusCode::BAD_REQUEST, "DestinationNotReachable")
    .saying("no-such-queue");
    let bucket = "arn:aws:s3:::no-such-bucket-for-letters";
    let queue = s.aws.queue(false).await;
    s.try_subscribe(
        "queue",
        json!({
            "destination": destination("SqsQueue", json!({"resourceId": queue.arn})),
            "deadLetterDestination": {"endpointType": "S3Bucket", "properties": {"resourceId": bucket}}
        }),
    )
    .await
    .expect_error(StatusCode::BAD_REQUEST, "DestinationNotReachable")
    .saying("no-such-bucket");
}

#[tokio::test]
async fn a_named_role_is_assumed_with_the_owner_as_external_id() {
    let s = setup().await;
    let queue = s.aws.queue(false).await;
    s.proxy.keep("STS.AssumeRole");
    let role = format!("arn:aws:iam::{ACCOUNT}:role/partner-events-delivery");
    s.subscribe(
        "queue",
        destination(
            "SqsQueue",
            json!({"resourceId": queue.arn, "roleArn": role}),
        ),
    )
    .await;
    s.topic.publish(&json!([event("o1")])).await;
    assert_eq!(s.aws.receive(&queue, 1, 20).await.len(), 1);

    let assumed = s.proxy.kept("STS.AssumeRole");
    assert!(!assumed.is_empty(), "the role was assumed");
    let form: Vec<(String, String)> = url::form_urlencoded::parse(assumed[0].as_bytes())
        .into_owned()
        .collect();
    assert!(form.contains(&("RoleArn".into(), role.clone())), "{form:?}");
    assert!(form.contains(&("ExternalId".into(), s.owner())), "{form:?}");
}

#[tokio::test]
async fn without_aws_targets_a_subscription_to_one_says_how_to_enable_them() {
    let server = Server::start().await;
    let topic = ActiveTopic::new(&server).await;
    topic
        .owner
        .put(
            &topic.subscription("queue"),
            json!({"properties": {"destination": destination("SqsQueue", json!({"resourceId": format!("arn:aws:sqs:us-east-1:{ACCOUNT}:q")}))}}),
        )
        .await
        .expect_error(StatusCode::BAD_REQUEST, "AwsTargetsNotEnabled")
        .saying("--aws-targets");
}

#[tokio::test]
async fn unbinding_an_account_stops_deliveries_there_at_once() {
    let s = setup().await;
    let (queue, sub) = s.subscribe_queue("queue", false).await;
    s.bind(&["210987654321"]).await;
    s.topic.publish(&json!([event("o1")])).await;

    let letters = s.topic.wait_for_dead_letters(&sub, 1).await;
    let reason = letters[0]["deadletterreason"].as_str().unwrap();
    assert!(
        reason.contains("DestinationNotAllowed") && reason.contains(ACCOUNT),
        "{reason}"
    );
    assert!(s.aws.receive(&queue, 1, 2).await.is_empty());
}
