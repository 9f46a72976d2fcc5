//! AWS targets on the serverless path: the fan-out function on moto delivering to SQS queues,
//! the AWS requests that takes per delivered event, and the deployment's own queues refused.

use e2e::Answer;
use e2e::aws_targets::{ACCOUNT, Aws, destination};
use e2e::stack::Stack;
use reqwest::StatusCode;
use serde_json::{Value, json};

const SUBSCRIPTIONS: usize = 10;
const PUBLISHES: usize = 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fanout_function_delivers_to_sqs_targets_in_batches_and_refuses_its_own_queues() {
    let stack = Stack::start("debug", "$default").await;
    let topic = stack.active_topic().await;
    let owner = format!("/admin/principals/customer-{}", topic.tenants.customer_sub);
    stack
        .operator
        .patch(&owner, json!({"awsAccounts": [ACCOUNT]}))
        .await
        .expect_status(StatusCode::OK);
    let own = stack.deployment.reserved_arns();
    let own = own.split(',').next().unwrap();
    topic
        .owner
        .put(
            &topic.subscription("own"),
            json!({"properties": {"destination": destination("SqsQueue", json!({"resourceId": own}))}}),
        )
        .await
        .expect_error(StatusCode::BAD_REQUEST, "DestinationNotAllowed");

    let aws = Aws::new(&e2e::aws::moto());
    let queue = aws.queue(false).await;
    for i in 0..SUBSCRIPTIONS {
        topic
            .subscribe(
                &format!("sub-{i}"),
                json!({"destination": destination("SqsQueue", json!({"resourceId": queue.arn}))}),
            )
            .await;
    }
    stack.drain(&stack.deployment.fanout_queue).await;
    stack.requests();
    let padding = "x".repeat(900);
    for b in 0..PUBLISHES {
        let events: Vec<Value> = (0..100)
            .map(|i| {
                e2e::order_event(
                    &format!("e{b}-{i}"),
                    "Orders.Created",
                    json!({"pad": padding}),
                )
            })
            .collect();
        topic.publish(&json!(events)).await;
    }
    stack.drain(&stack.deployment.fanout_queue).await;
    let deferred = stack.drain(&stack.deployment.delivery_queue).await.len();
    let requests = stack.requests();

    let deliveries = SUBSCRIPTIONS * PUBLISHES * 100;
    println!("{deferred} polls of deferred batches; {requests:?}");
    assert_eq!(
        aws.queued(&queue).await,
        deliveries,
        "every event reached the queue once per subscription"
    );
    let sample = aws.receive(&queue, 1, 5).await;
    let body: Value = serde_json::from_str(sample[0].body().unwrap()).unwrap();
    assert_eq!(body["type"], "Orders.Created");
    let total: usize = requests.values().map(|c| c.requests).sum();
    let sends = requests
        .get("SQS.SendMessageBatch")
        .map_or(0, |c| c.requests);
    let per_delivery = total as f64 / deliveries as f64;
    eprintln!(
        "{deliveries} deliveries to an SQS target with {SUBSCRIPTIONS} subscriptions: {total} AWS requests ({per_delivery:.4} per delivery), {sends} SendMessageBatch: {requests:?}"
    );
    assert!(
        per_delivery <= 0.18,
        "{per_delivery} AWS requests per delivered event"
    );
}
