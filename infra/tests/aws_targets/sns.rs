//! SNS topics: what was published, read from a queue subscribed with raw message delivery.

use shared::ports::{TargetDelivery, TargetMessage, Targets};
use shared::subscriptions::aws::Service;

use super::{ACCOUNT, REGION, assert_taken, message, queue, receive, sdk, target, targets, unique};

async fn topic(sns: &aws_sdk_sns::Client) -> String {
    let answer = sns.create_topic().name(unique("pe")).send().await.unwrap();
    answer.topic_arn.unwrap()
}

#[tokio::test]
async fn a_published_message_reaches_a_raw_subscriber_unchanged() {
    let config = sdk().await;
    let (sns, sqs) = (
        aws_sdk_sns::Client::new(&config),
        aws_sdk_sqs::Client::new(&config),
    );
    let topic = topic(&sns).await;
    let (url, queue_arn) = queue(&sqs, false).await;
    sns.subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint(&queue_arn)
        .attributes("RawMessageDelivery", "true")
        .send()
        .await
        .unwrap();

    let bodies: Vec<String> = (0..12)
        .map(|i| format!("{{\"n\":{i}, \"data\":\"é\"}}"))
        .collect();
    let messages = bodies
        .iter()
        .map(|b| TargetMessage {
            attributes: vec![("tenant".into(), "contoso".into())],
            ..message(b)
        })
        .collect();
    let delivery = TargetDelivery {
        target: target(Service::Sns, &topic),
        messages,
    };
    assert_taken(&targets().await.deliver(&delivery).await, 12);

    let mut received = receive(&sqs, &url, 12).await;
    received.sort_by_key(|m| bodies.iter().position(|b| Some(b) == m.body.as_ref()));
    let got: Vec<_> = received.iter().map(|m| m.body.clone().unwrap()).collect();
    assert_eq!(got, bodies);
    let attributes = received[0].message_attributes.clone().unwrap_or_default();
    assert_eq!(
        attributes["tenant"].string_value.as_deref(),
        Some("contoso")
    );
}

#[tokio::test]
async fn check_accepts_an_existing_topic_and_refuses_a_missing_one() {
    let sns = aws_sdk_sns::Client::new(&sdk().await);
    let topic = topic(&sns).await;
    let adapter = targets().await;
    adapter.check(&target(Service::Sns, &topic)).await.unwrap();

    let missing = format!("arn:aws:sns:{REGION}:{ACCOUNT}:{}", unique("gone"));
    let said = adapter
        .check(&target(Service::Sns, &missing))
        .await
        .unwrap_err();
    assert!(said.starts_with("NotFound"), "{said}");
}
