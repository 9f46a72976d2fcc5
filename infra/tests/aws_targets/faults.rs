//! Failures the emulator never produces, from a fake AWS endpoint: one entry of a batch refused
//! fails only that message; a function that answers with an error has not taken the message.

use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use shared::ports::{Fault, TargetDelivery, TargetMessage, Targets};
use shared::subscriptions::aws::Service;

use super::{assert_taken, message, refusal, sdk_at, target};

/// Answers GetQueueUrl and SendMessageBatch (failing the entry whose body is `throttle me`),
/// PutRecords (failing the second record) and Invoke (a function error).
async fn fake(uri: axum::http::Uri, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let operation = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let input: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    match operation {
        "AmazonSQS.GetQueueUrl" => {
            axum::Json(json!({"QueueUrl": "http://fake/123456789012/q"})).into_response()
        }
        "AmazonSQS.SendMessageBatch" => {
            let (failed, successful): (Vec<_>, Vec<_>) = input["Entries"]
                .as_array()
                .unwrap()
                .iter()
                .partition(|e| e["MessageBody"] == "throttle me");
            let ok = |e: &&Value| json!({"Id": e["Id"], "MessageId": "m", "MD5OfMessageBody": "0"});
            let refused = |e: &&Value| {
                let (id, code) = (&e["Id"], "RequestThrottled");
                json!({"Id": id, "Code": code, "SenderFault": false, "Message": "slow"})
            };
            axum::Json(json!({
                "Successful": successful.iter().map(ok).collect::<Vec<_>>(),
                "Failed": failed.iter().map(refused).collect::<Vec<_>>(),
            }))
            .into_response()
        }
        "Kinesis_20131202.PutRecords" => axum::Json(json!({
            "FailedRecordCount": 1,
            "Records": [
                {"SequenceNumber": "1", "ShardId": "shardId-000000000000"},
                {"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "slow"},
                {"SequenceNumber": "3", "ShardId": "shardId-000000000000"},
            ],
        }))
        .into_response(),
        _ if uri.path().ends_with("/invocations") => {
            let answer = format!("{{\"errorMessage\":\"{}\"}}", "x".repeat(300));
            let mut response = answer.into_response();
            let headers = response.headers_mut();
            headers.insert(
                "X-Amz-Function-Error",
                HeaderValue::from_static("Unhandled"),
            );
            headers.insert("Content-Type", HeaderValue::from_static("application/json"));
            response
        }
        other => panic!("the fake does not answer {other} {uri}"),
    }
}

async fn adapter() -> infra::aws_targets::AwsTargets {
    let app = axum::Router::new().fallback(axum::routing::post(fake));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    infra::aws_targets::AwsTargets::new(&sdk_at(&endpoint).await)
}

#[tokio::test]
async fn an_sqs_entry_refused_in_a_batch_fails_only_that_message() {
    let delivery = TargetDelivery {
        target: target(Service::Sqs, "arn:aws:sqs:us-east-1:123456789012:q"),
        messages: vec![message("a"), message("throttle me"), message("c")],
    };
    let attempts = adapter().await.deliver(&delivery).await;
    assert_taken(&attempts[0..1], 1);
    assert_taken(&attempts[2..3], 1);
    let e = refusal(&attempts[1]);
    assert_eq!(
        (e.fault, e.code.as_str(), e.message.as_str()),
        (Fault::Throttled, "RequestThrottled", "slow")
    );
}

#[tokio::test]
async fn a_kinesis_record_refused_in_a_batch_fails_only_that_message() {
    let record = |body: &str| TargetMessage {
        partition_key: Some("k".into()),
        ..message(body)
    };
    let delivery = TargetDelivery {
        target: target(
            Service::Kinesis,
            "arn:aws:kinesis:us-east-1:123456789012:stream/s",
        ),
        messages: vec![record("1"), record("2"), record("3")],
    };
    let attempts = adapter().await.deliver(&delivery).await;
    assert_taken(&attempts[0..1], 1);
    assert_taken(&attempts[2..3], 1);
    let e = refusal(&attempts[1]);
    assert_eq!(
        (e.fault, e.code.as_str()),
        (Fault::Throttled, "ProvisionedThroughputExceededException")
    );
}

#[tokio::test]
async fn a_function_error_is_a_failed_attempt_with_the_start_of_the_answer() {
    let delivery = TargetDelivery {
        target: target(
            Service::Lambda,
            "arn:aws:lambda:us-east-1:123456789012:function:f",
        ),
        messages: vec![message("{}")],
    };
    let attempts = adapter().await.deliver(&delivery).await;
    let e = refusal(&attempts[0]);
    assert_eq!(
        (e.fault, e.status, e.code.as_str()),
        (Fault::Unavailable, 200, "Unhandled")
    );
    assert_eq!(e.message.len(), 200);
    assert!(e.message.starts_with("{\"errorMessage\":\"xxx"), "{e:?}");
}
