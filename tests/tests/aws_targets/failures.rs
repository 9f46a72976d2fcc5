//! What a target's refusals and failures come to: throttling and function errors retried on
//! the schedule, a missing queue and an event too large dead-lettered at once with the reason
//! (listable and written to S3), and a FIFO queue dropping the resend of a send whose answer
//! was lost.

use std::time::Duration;

use e2e::aws::Injected;
use e2e::aws_targets::destination;
use serde_json::{Value, json};

use super::{event, ids, setup, setup_with_clock};

#[tokio::test]
async fn a_throttled_send_is_retried_on_the_schedule_and_then_delivered() {
    let (s, clock) = setup_with_clock().await;
    let (queue, sub) = s.subscribe_queue("queue", false).await;
    s.proxy.inject(
        "SQS.SendMessageBatch",
        Injected::error(400, "RequestThrottled"),
    );
    s.topic.publish(&json!([event("o1")])).await;

    let stats = s.wait_stats(&sub, |v| v["failedAttempts"] == 1).await;
    assert_eq!(stats["lastError"]["outcome"], "Busy", "{stats}");
    assert_eq!(stats["deadLetteredEvents"], 0);
    s.proxy.clear("SQS.SendMessageBatch");
    clock.advance(time::Duration::seconds(12));

    let got = s.aws.receive(&queue, 1, 20).await;
    assert_eq!(got.len(), 1, "the retry delivered it");
    s.wait_stats(&sub, |v| v["deliveredEvents"] == 1).await;
}

#[tokio::test]
async fn a_fifo_queue_drops_the_resend_of_a_delivery_whose_answer_was_lost() {
    let (s, clock) = setup_with_clock().await;
    let (queue, sub) = s.subscribe_queue("fifo", true).await;
    s.proxy.inject(
        "SQS.SendMessageBatch",
        Injected {
            after_forwarding: true,
            ..Injected::error(500, "InternalError")
        },
    );
    s.topic.publish(&json!([event("o1")])).await;
    s.wait_stats(&sub, |v| v["failedAttempts"] == 1).await;
    s.proxy.clear("SQS.SendMessageBatch");
    clock.advance(time::Duration::seconds(12));
    s.wait_stats(&sub, |v| v["deliveredEvents"] == 1).await;

    let got = s.aws.receive(&queue, 2, 3).await;
    assert_eq!(
        got.len(),
        1,
        "every resend carried the same deduplication id"
    );
}

#[tokio::test]
async fn a_function_error_is_a_failed_attempt_that_is_retried() {
    let (s, clock) = setup_with_clock().await;
    let function = s.aws.echo_function().await;
    let sub = s
        .subscribe(
            "function",
            destination("LambdaFunction", json!({"resourceId": function})),
        )
        .await;
    s.proxy.inject(
        "Lambda.Invoke",
        Injected {
            status: 200,
            headers: vec![("x-amz-function-error", "Unhandled".into())],
            body: r#"{"errorMessage":"boom"}"#.into(),
            after_forwarding: false,
        },
    );
    s.topic.publish(&json!([event("o1")])).await;

    let stats = s.wait_stats(&sub, |v| v["failedAttempts"] == 1).await;
    assert_eq!(stats["deadLetteredEvents"], 0, "{stats}");
    s.proxy.clear("Lambda.Invoke");
    clock.advance(time::Duration::seconds(12));
    s.wait_stats(&sub, |v| v["deliveredEvents"] == 1).await;
}

#[tokio::test]
async fn a_missing_queue_dead_letters_at_once_with_its_code_listed_and_in_the_s3_bucket() {
    let s = setup().await;
    let queue = s.aws.queue(false).await;
    let bucket = s.aws.bucket().await;
    let sub = s
        .topic
        .subscribe(
            "gone",
            json!({
                "destination": destination("SqsQueue", json!({"resourceId": queue.arn})),
                "deadLetterDestination": {"endpointType": "S3Bucket", "properties": {"resourceId": bucket, "prefix": "letters/"}}
            }),
        )
        .await;
    s.aws
        .sqs
        .delete_queue()
        .queue_url(&queue.url)
        .send()
        .await
        .unwrap();
    let published = event("o1");
    s.topic.publish(&json!([published])).await;

    let letters = s.topic.wait_for_dead_letters(&sub, 1).await;
    let reason = letters[0]["deadletterreason"].as_str().unwrap();
    assert!(
        reason.starts_with("UndeliverableDueToClientError: ")
            && reason.contains("NonExistentQueue"),
        "{reason}"
    );
    assert_eq!(letters[0]["deliveryattempts"], 1);
    assert_eq!(letters[0]["lastdeliveryoutcome"], "NotFound");

    let objects = wait_for_objects(&s, &bucket).await;
    assert_eq!(objects.len(), 1);
    let (key, body) = &objects[0];
    let topic = s.topic.path.rsplit('/').next().unwrap().to_uppercase();
    assert!(key.starts_with(&format!("letters/{topic}/GONE/")), "{key}");
    assert!(
        key.ends_with(&format!(
            "/{}.json",
            letters[0]["deadletterid"].as_str().unwrap()
        )),
        "{key}"
    );
    assert_eq!(
        key.split('/').count(),
        8,
        "prefix/topic/subscription/yyyy/mm/dd/hh/id: {key}"
    );
    assert_eq!(body["id"], "o1");
    assert_eq!(body["data"], published["data"]);
    assert_eq!(body["deadletterreason"], reason);
}

#[tokio::test]
async fn an_event_larger_than_a_queue_carries_is_dead_lettered_at_once_saying_so() {
    let s = setup().await;
    let (queue, sub) = s.subscribe_queue("small", false).await;
    let mut big = event("big");
    big["data"] = json!({"pad": "x".repeat(300 * 1024)});
    s.topic.publish(&json!([big, event("o2")])).await;

    let letters = s.topic.wait_for_dead_letters(&sub, 1).await;
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0]["id"], "big");
    let reason = letters[0]["deadletterreason"].as_str().unwrap();
    assert!(
        reason.contains("MessageTooLarge") && reason.contains("262144"),
        "{reason}"
    );
    let got = s.aws.receive(&queue, 1, 20).await;
    assert_eq!(
        ids(&got),
        ["o2"],
        "the other event of the batch was delivered"
    );
}

async fn wait_for_objects(s: &super::Setup, bucket: &str) -> Vec<(String, Value)> {
    for _ in 0..100 {
        let objects = s.aws.objects(bucket).await;
        if !objects.is_empty() {
            return objects;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no dead letter in {bucket}");
}

#[tokio::test]
async fn only_the_entry_a_batch_call_failed_is_retried() {
    let (s, clock) = setup_with_clock().await;
    let (queue, sub) = s.subscribe_queue("queue", false).await;
    s.proxy.inject(
        "SQS.SendMessageBatch",
        Injected {
            status: 200,
            body: json!({
                "Successful": [{"Id": "0", "MessageId": "m-0", "MD5OfMessageBody": "0"}],
                "Failed": [{"Id": "1", "SenderFault": false, "Code": "RequestThrottled", "Message": "slow down"}]
            })
            .to_string(),
            ..Injected::error(200, "")
        },
    );
    s.topic.publish(&json!([event("o1"), event("o2")])).await;
    let stats = s
        .wait_stats(&sub, |v| {
            v["failedAttempts"] == 1 && v["deliveredEvents"] == 1
        })
        .await;
    assert_eq!(stats["lastError"]["outcome"], "Busy", "{stats}");
    s.proxy.clear("SQS.SendMessageBatch");
    clock.advance(time::Duration::seconds(12));

    let got = s.aws.receive(&queue, 2, 5).await;
    assert_eq!(
        ids(&got),
        ["o2"],
        "the retry carried only the throttled entry"
    );
}
