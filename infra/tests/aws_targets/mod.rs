//! The AWS targets adapter on the emulator at `PARTNER_EVENTS_TEST_AWS_ENDPOINT` (moto): what
//! each service was sent, read back from it; checks of existing and missing targets; dead
//! letters written to S3; a role assumed for delivery. Every case makes its own resources, so
//! the cases share one emulator.

mod eventbridge;
mod faults;
mod kinesis;
mod lambda;
mod roles;
mod s3;
mod sns;
mod sqs;

use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sqs::config::Credentials;
use aws_sdk_sqs::types::{Message, MessageSystemAttributeName, QueueAttributeName};
use shared::ports::{Attempt, TargetMessage};
use shared::subscriptions::aws::{Service, TargetRef};

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";

fn endpoint() -> String {
    std::env::var("PARTNER_EVENTS_TEST_AWS_ENDPOINT").unwrap_or_else(|_| {
        panic!(
            "the AWS targets tests need an emulator: set PARTNER_EVENTS_TEST_AWS_ENDPOINT \
             or run the README's test command, which starts moto"
        )
    })
}

/// The SDK configuration of `endpoint`, with test credentials.
pub async fn sdk_at(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .load()
        .await
}

/// The SDK configuration of the emulator.
pub async fn sdk() -> SdkConfig {
    sdk_at(&endpoint()).await
}

/// The adapter on the emulator.
pub async fn targets() -> infra::aws_targets::AwsTargets {
    infra::aws_targets::AwsTargets::new(&sdk().await)
}

/// A fresh name: `prefix-` and 32 hex digits.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

/// `arn` of `service`, reached with the deployment's own credentials.
pub fn target(service: Service, arn: &str) -> TargetRef {
    TargetRef {
        service,
        arn: arn.to_owned(),
        role_arn: None,
        external_id: "owner-principal".into(),
        expected_owner: None,
    }
}

pub fn message(body: &str) -> TargetMessage {
    TargetMessage {
        body: body.to_owned(),
        ..Default::default()
    }
}

/// Asserts that every message was taken.
pub fn assert_taken(attempts: &[Attempt], count: usize) {
    assert_eq!(attempts.len(), count, "one attempt per message");
    for (i, attempt) in attempts.iter().enumerate() {
        let taken = Attempt::answered(200);
        assert_eq!(attempt, &taken, "message {i}");
    }
}

/// The attempt's service error.
pub fn refusal(attempt: &Attempt) -> &shared::ports::ServiceError {
    match attempt {
        Attempt::Service(e) => e,
        other => panic!("expected a service error, got {other:?}"),
    }
}

/// A fresh queue (FIFO when `fifo`, with content-based deduplication off): its URL and ARN.
pub async fn queue(sqs: &aws_sdk_sqs::Client, fifo: bool) -> (String, String) {
    let name = match fifo {
        true => format!("{}.fifo", unique("pe")),
        false => unique("pe"),
    };
    let mut create = sqs.create_queue().queue_name(&name);
    if fifo {
        create = create.attributes(QueueAttributeName::FifoQueue, "true");
    }
    let url = create.send().await.unwrap().queue_url.unwrap();
    (url, format!("arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"))
}

/// The messages on `url` (deleted as they are read), waiting up to 10 seconds for `count` of
/// them.
pub async fn receive(sqs: &aws_sdk_sqs::Client, url: &str, count: usize) -> Vec<Message> {
    receive_within(sqs, url, count, Duration::from_secs(10)).await
}

/// The messages on `url`, waiting up to `patience` for `count` of them.
pub async fn receive_within(
    sqs: &aws_sdk_sqs::Client,
    url: &str,
    count: usize,
    patience: Duration,
) -> Vec<Message> {
    let deadline = Instant::now() + patience;
    let mut received = Vec::new();
    while received.len() < count && Instant::now() < deadline {
        let answer = sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .message_attribute_names("All")
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .wait_time_seconds(1)
            .send()
            .await
            .unwrap();
        for m in answer.messages.unwrap_or_default() {
            sqs.delete_message()
                .queue_url(url)
                .receipt_handle(m.receipt_handle.clone().unwrap())
                .send()
                .await
                .unwrap();
            received.push(m);
        }
    }
    received
}
