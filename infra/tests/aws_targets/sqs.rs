//! SQS queues: bodies and attributes as sent, FIFO groups and deduplication, batches split
//! within SendMessageBatch's limits, a missing queue.

use std::collections::BTreeSet;
use std::time::Duration;

use shared::ports::{Fault, TargetDelivery, TargetMessage, Targets};
use shared::subscriptions::aws::Service;

use super::{assert_taken, message, queue, receive, receive_within, refusal, sdk, target, targets};

#[tokio::test]
async fn a_message_arrives_byte_for_byte_with_its_attributes() {
    let sqs = aws_sdk_sqs::Client::new(&sdk().await);
    let (url, arn) = queue(&sqs, false).await;
    let body =
        "{\"specversion\":\"1.0\",  \"id\":\"1\",\n\"data\":{\"name\":\"Zoë ✓\",\"n\":1.50}}";
    let sent = TargetMessage {
        attributes: vec![
            ("tenant".into(), "contoso".into()),
            ("kind".into(), "order".into()),
        ],
        ..message(body)
    };
    let delivery = TargetDelivery {
        target: target(Service::Sqs, &arn),
        messages: vec![sent],
    };
    assert_taken(&targets().await.deliver(&delivery).await, 1);

    let received = receive(&sqs, &url, 1).await;
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].body.as_deref(), Some(body));
    let attributes = received[0].message_attributes.clone().unwrap_or_default();
    for (name, value) in [("tenant", "contoso"), ("kind", "order")] {
        let attribute = &attributes[name];
        assert_eq!(attribute.data_type, "String");
        assert_eq!(attribute.string_value.as_deref(), Some(value));
    }
}

#[tokio::test]
async fn a_fifo_queue_gets_the_group_and_drops_a_second_send_with_the_same_deduplication_id() {
    let sqs = aws_sdk_sqs::Client::new(&sdk().await);
    let (url, arn) = queue(&sqs, true).await;
    let fifo = |body: &str, dedup: &str| TargetMessage {
        group_id: Some("orders-17".into()),
        deduplication_id: Some(dedup.into()),
        ..message(body)
    };
    let adapter = targets().await;
    let first = TargetDelivery {
        target: target(Service::Sqs, &arn),
        messages: vec![fifo("{\"n\":1}", "d1")],
    };
    assert_taken(&adapter.deliver(&first).await, 1);
    assert_taken(&adapter.deliver(&first).await, 1);
    let second = TargetDelivery {
        messages: vec![fifo("{\"n\":2}", "d2")],
        ..first.clone()
    };
    assert_taken(&adapter.deliver(&second).await, 1);

    let received = receive_within(&sqs, &url, 3, Duration::from_secs(3)).await;
    let bodies: Vec<_> = received.iter().map(|m| m.body.clone().unwrap()).collect();
    assert_eq!(
        bodies,
        ["{\"n\":1}", "{\"n\":2}"],
        "the repeated send arrives once, in order"
    );
    for m in &received {
        let system = m.attributes.clone().unwrap_or_default();
        let group = system.get(&aws_sdk_sqs::types::MessageSystemAttributeName::MessageGroupId);
        assert_eq!(group.map(String::as_str), Some("orders-17"));
    }
}

#[tokio::test]
async fn twenty_five_large_messages_are_split_into_batches_and_all_arrive() {
    let sqs = aws_sdk_sqs::Client::new(&sdk().await);
    let (url, arn) = queue(&sqs, false).await;
    let padding = "x".repeat(40 * 1024);
    let bodies: Vec<String> = (0..25)
        .map(|i| match i % 2 {
            0 => format!("{{\"n\":{i},\"pad\":\"{padding}\"}}"),
            _ => format!("{{\"n\":{i}}}"),
        })
        .collect();
    let delivery = TargetDelivery {
        target: target(Service::Sqs, &arn),
        messages: bodies.iter().map(|b| message(b)).collect(),
    };
    assert_taken(&targets().await.deliver(&delivery).await, 25);

    let received: BTreeSet<String> = receive(&sqs, &url, 25)
        .await
        .into_iter()
        .map(|m| m.body.unwrap())
        .collect();
    assert_eq!(received, bodies.into_iter().collect::<BTreeSet<_>>());
}

#[tokio::test]
async fn every_message_to_a_missing_queue_is_refused_as_missing_with_the_service_code() {
    let arn = format!(
        "arn:aws:sqs:{}:{}:{}",
        super::REGION,
        super::ACCOUNT,
        super::unique("gone")
    );
    let delivery = TargetDelivery {
        target: target(Service::Sqs, &arn),
        messages: vec![message("{}"), message("{}")],
    };
    let attempts = targets().await.deliver(&delivery).await;
    assert_eq!(attempts.len(), 2);
    for attempt in &attempts {
        let e = refusal(attempt);
        assert_eq!(e.fault, Fault::Missing, "{e:?}");
        assert!(
            e.code.contains("NonExistentQueue") || e.code == "QueueDoesNotExist",
            "{e:?}"
        );
        assert_eq!(e.status, 400, "{e:?}");
    }
}

#[tokio::test]
async fn check_accepts_an_existing_queue_and_says_what_sqs_answered_for_a_missing_one() {
    let sqs = aws_sdk_sqs::Client::new(&sdk().await);
    let (_, arn) = queue(&sqs, false).await;
    let adapter = targets().await;
    adapter.check(&target(Service::Sqs, &arn)).await.unwrap();

    let missing = format!("{arn}-missing");
    let said = adapter
        .check(&target(Service::Sqs, &missing))
        .await
        .unwrap_err();
    assert!(
        said.contains("NonExistentQueue") || said.starts_with("QueueDoesNotExist"),
        "{said}"
    );
}
