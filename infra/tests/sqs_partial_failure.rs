//! SendMessageBatch entries that SQS reports failed are sent again, and a send is never
//! reported as done while any entry is still failing. A fake SQS endpoint fails entries on
//! purpose (the emulator never does).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::{Value, json};
use shared::ports::Queue;

/// Answers SendMessageBatch, failing the first entry of the first `failures` calls.
async fn fake(
    State((calls, failures)): State<(Arc<AtomicUsize>, usize)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Json<Value> {
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(headers["x-amz-target"], "AmazonSQS.SendMessageBatch");
    let call = calls.fetch_add(1, Ordering::SeqCst);
    let ids: Vec<String> = body["Entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["Id"].as_str().unwrap().to_owned())
        .collect();
    let fail_first = call < failures;
    let successful: Vec<Value> = ids
        .iter()
        .enumerate()
        .filter(|(i, _)| !(fail_first && *i == 0))
        .map(|(_, id)| json!({"Id": id, "MessageId": format!("m-{call}-{id}"), "MD5OfMessageBody": "0"}))
        .collect();
    let failed: Vec<Value> = if fail_first {
        vec![
            json!({"Id": ids[0], "Code": "InternalError", "SenderFault": false, "Message": "try again"}),
        ]
    } else {
        vec![]
    };
    Json(json!({"Successful": successful, "Failed": failed}))
}

async fn queue(failures: usize) -> (infra::sqs::SqsQueue, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = axum::Router::new()
        .fallback(axum::routing::post(fake))
        .with_state((calls.clone(), failures));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    use aws_sdk_sqs::config::{BehaviorVersion, Builder, Credentials, Region};
    let config = Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(&endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .build();
    (
        infra::sqs::SqsQueue::new(
            aws_sdk_sqs::Client::from_conf(config),
            format!("{endpoint}/queue"),
        ),
        calls,
    )
}

#[tokio::test]
async fn failed_entries_are_sent_again_until_they_succeed() {
    let (queue, calls) = queue(2).await;
    queue
        .send(vec!["a".into(), "b".into()], std::time::Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(
        calls.load(Ordering::SeqCst),
        3,
        "the first call, then two retries of the failed entry"
    );
}

#[tokio::test]
async fn a_send_whose_entries_keep_failing_is_an_error_not_a_success() {
    let (queue, _) = queue(usize::MAX).await;
    let e = queue
        .send(vec!["a".into()], std::time::Duration::ZERO)
        .await
        .unwrap_err();
    assert_eq!(e.kind, shared::error::ErrorKind::Transient);
}
