//! Each target kind gets the event as published, read back from the service.

use e2e::aws_targets::destination;
use serde_json::{Value, json};

use super::{event, ids, setup};

#[tokio::test]
async fn an_event_reaches_a_standard_queue_as_published_with_its_message_attributes() {
    let s = setup().await;
    let queue = s.aws.queue(false).await;
    s.subscribe(
        "queue",
        destination(
            "SqsQueue",
            json!({"resourceId": queue.arn, "deliveryAttributeMappings": [
                {"name": "tenant", "type": "Static", "properties": {"value": "contoso", "isSecret": true}},
                {"name": "kind", "type": "Dynamic", "properties": {"sourceField": "type"}}
            ]}),
        ),
    )
    .await;
    let published = event("o1");
    s.topic.publish(&json!([published])).await;

    let got = s.aws.receive(&queue, 1, 20).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].body(), Some(published.to_string().as_str()));
    let attributes = got[0].message_attributes().unwrap();
    assert_eq!(attributes["tenant"].string_value(), Some("contoso"));
    assert_eq!(attributes["kind"].string_value(), Some("Orders.Created"));
}

#[tokio::test]
async fn a_fifo_queue_gets_each_event_in_order_in_the_group_its_attribute_names() {
    let s = setup().await;
    let queue = s.aws.queue(true).await;
    s.subscribe(
        "fifo",
        destination(
            "SqsQueue",
            json!({"resourceId": queue.arn, "messageGroupId": "$subject"}),
        ),
    )
    .await;
    s.topic
        .publish(&json!([event("o1"), event("o2"), event("o3")]))
        .await;

    let got = s.aws.receive(&queue, 3, 20).await;
    assert_eq!(ids(&got), ["o1", "o2", "o3"]);
    let group = &got[0].attributes().unwrap()
        [&aws_sdk_sqs::types::MessageSystemAttributeName::MessageGroupId];
    assert_eq!(group, "orders/o1");
}

#[tokio::test]
async fn an_sns_topic_passes_the_event_on_to_its_subscribed_queue() {
    let s = setup().await;
    let queue = s.aws.queue(false).await;
    let topic = s.aws.topic_into(&queue).await;
    s.subscribe("sns", destination("SnsTopic", json!({"resourceId": topic})))
        .await;
    let published = event("o1");
    s.topic.publish(&json!([published])).await;

    let got = s.aws.receive(&queue, 1, 20).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].body(), Some(published.to_string().as_str()));
}

#[tokio::test]
async fn an_eventbridge_bus_gets_the_source_the_type_and_the_event_as_detail() {
    let s = setup().await;
    let queue = s.aws.queue(false).await;
    let bus = s.aws.bus_into(&queue, "fabrikam/orders").await;
    s.subscribe(
        "bus",
        destination("EventBridgeBus", json!({"resourceId": bus})),
    )
    .await;
    let published = event("o1");
    s.topic.publish(&json!([published])).await;

    let got = s.aws.receive(&queue, 1, 20).await;
    assert_eq!(got.len(), 1, "the rule on the source matched");
    let envelope: Value = serde_json::from_str(got[0].body().unwrap()).unwrap();
    assert_eq!(envelope["source"], "fabrikam/orders");
    assert_eq!(envelope["detail-type"], "Orders.Created");
    assert_eq!(envelope["detail"], published);
}

#[tokio::test]
async fn a_kinesis_stream_gets_each_event_keyed_by_its_subject() {
    let s = setup().await;
    let stream = s.aws.stream().await;
    let sub = s
        .subscribe(
            "stream",
            destination("KinesisStream", json!({"resourceId": stream})),
        )
        .await;
    let (first, second) = (event("o1"), event("o2"));
    s.topic.publish(&json!([first, second])).await;
    s.wait_stats(&sub, |v| v["deliveredEvents"] == 2).await;

    let records = s.aws.records(&stream).await;
    assert_eq!(
        records,
        [
            ("orders/o1".to_owned(), first.to_string()),
            ("orders/o2".to_owned(), second.to_string())
        ]
    );
}

#[tokio::test]
async fn a_lambda_function_is_invoked_with_the_event_and_its_answer_counts_as_delivered() {
    let s = setup().await;
    let function = s.aws.echo_function().await;
    s.proxy.keep("Lambda.Invoke");
    let sub = s
        .subscribe(
            "function",
            destination("LambdaFunction", json!({"resourceId": function})),
        )
        .await;
    let published = event("o1");
    s.topic.publish(&json!([published])).await;

    s.wait_stats(&sub, |v| v["deliveredEvents"] == 1).await;
    assert_eq!(s.proxy.kept("Lambda.Invoke"), [published.to_string()]);
}

#[tokio::test]
async fn a_batching_lambda_function_is_invoked_once_with_an_array_of_the_events() {
    let s = setup().await;
    let function = s.aws.echo_function().await;
    // moto's Lambda cannot read a payload that is a JSON array; the function answers here.
    s.proxy.inject(
        "Lambda.Invoke",
        e2e::aws::Injected {
            status: 200,
            headers: vec![],
            body: "null".into(),
            after_forwarding: false,
        },
    );
    s.proxy.keep("Lambda.Invoke");
    let sub = s
        .subscribe(
            "batch",
            destination(
                "LambdaFunction",
                json!({"resourceId": function, "maxEventsPerBatch": 10}),
            ),
        )
        .await;
    let events = json!([event("o1"), event("o2"), event("o3")]);
    s.topic.publish(&events).await;

    s.wait_stats(&sub, |v| v["deliveredEvents"] == 3).await;
    let invocations = s.proxy.kept("Lambda.Invoke");
    assert_eq!(invocations.len(), 1);
    assert_eq!(
        serde_json::from_str::<Value>(&invocations[0]).unwrap(),
        events
    );
}

#[tokio::test]
async fn the_local_binary_with_aws_targets_delivers_through_the_standard_aws_environment() {
    let moto = e2e::aws::moto();
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child =
        tokio::process::Command::new(e2e::lambda::binaries("debug").join("partner-events"))
            .args([
                "serve",
                "--aws-targets",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--data-dir",
            ])
            .arg(dir.path())
            .env("PARTNER_EVENTS_OPERATOR_KEY", e2e::OPERATOR_KEY)
            .env("AWS_ENDPOINT_URL", &moto)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .kill_on_drop(true)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let operator = e2e::Client::new(&base, e2e::OPERATOR_KEY);
    for _ in 0..100 {
        if reqwest::get(format!("{base}/healthz")).await.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let topic = e2e::ActiveTopic::with_operator(&operator).await;
    operator
        .patch(
            &format!("/admin/principals/customer-{}", topic.tenants.customer_sub),
            json!({"awsAccounts": [e2e::aws_targets::ACCOUNT]}),
        )
        .await;
    let aws = e2e::aws_targets::Aws::new(&moto);
    let queue = aws.queue(false).await;
    topic
        .subscribe(
            "queue",
            json!({"destination": destination("SqsQueue", json!({"resourceId": queue.arn}))}),
        )
        .await;
    let published = event("o1");
    topic.publish(&json!([published])).await;

    let got = aws.receive(&queue, 1, 20).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].body(), Some(published.to_string().as_str()));
    child.kill().await.unwrap();
}
