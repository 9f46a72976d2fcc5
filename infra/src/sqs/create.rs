//! Creating an SQS queue and its dead-letter queue when missing, for tests and local runs on an
//! emulator.

use std::collections::HashMap;

use aws_sdk_sqs::Client;
use aws_sdk_sqs::operation::get_queue_url::GetQueueUrlError;
use aws_sdk_sqs::types::QueueAttributeName;
use shared::error::{Error, Result};
use shared::ports::MAX_MESSAGE_BYTES;

use super::SqsQueue;
use super::errors::classify;

/// What [`SqsQueue::create_if_missing`] sets on both queues.
const VISIBILITY_TIMEOUT_SECS: u32 = 30;
/// How long the dead-letter queue of [`SqsQueue::create_if_missing`] keeps a message (14 days,
/// SQS's longest).
const DLQ_RETENTION_SECS: u32 = 14 * 24 * 60 * 60;

impl SqsQueue {
    /// For tests and local runs on an emulator: the queue `name`, created if missing with a
    /// dead-letter queue `name-dlq` (also created if missing) that takes a message received
    /// `max_receives` times (clamped to SQS's 1..=1000) once it is due again. Both queues get
    /// a MaximumMessageSize of [`MAX_MESSAGE_BYTES`] and a VisibilityTimeout of 30 s. Queues
    /// that already exist are used as they are.
    pub async fn create_if_missing(client: Client, name: &str, max_receives: u32) -> Result<Self> {
        let common = [
            (
                QueueAttributeName::MaximumMessageSize,
                MAX_MESSAGE_BYTES.to_string(),
            ),
            (
                QueueAttributeName::VisibilityTimeout,
                VISIBILITY_TIMEOUT_SECS.to_string(),
            ),
        ];
        let mut dlq_attributes = HashMap::from(common.clone());
        dlq_attributes.insert(
            QueueAttributeName::MessageRetentionPeriod,
            DLQ_RETENTION_SECS.to_string(),
        );
        let dlq_url = url_or_create(&client, &format!("{name}-dlq"), dlq_attributes).await?;
        let attributes = client
            .get_queue_attributes()
            .queue_url(&dlq_url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .map_err(|e| classify("GetQueueAttributes", e))?;
        let dlq_arn = attributes
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::QueueArn))
            .ok_or_else(|| Error::internal(format!("SQS returned no QueueArn for {dlq_url}")))?;
        let redrive = serde_json::json!({
            "deadLetterTargetArn": dlq_arn,
            "maxReceiveCount": max_receives.clamp(1, 1000),
        });
        let mut queue_attributes = HashMap::from(common);
        queue_attributes.insert(QueueAttributeName::RedrivePolicy, redrive.to_string());
        let url = url_or_create(&client, name, queue_attributes).await?;
        Ok(Self::new(client, url))
    }
}

/// The URL of the queue `name`, created with `attributes` when it does not exist.
async fn url_or_create(
    client: &Client,
    name: &str,
    attributes: HashMap<QueueAttributeName, String>,
) -> Result<String> {
    let url = match client.get_queue_url().queue_name(name).send().await {
        Ok(out) => out.queue_url,
        Err(e)
            if matches!(
                e.as_service_error(),
                Some(GetQueueUrlError::QueueDoesNotExist(_))
            ) =>
        {
            client
                .create_queue()
                .queue_name(name)
                .set_attributes(Some(attributes))
                .send()
                .await
                .map_err(|e| classify("CreateQueue", e))?
                .queue_url
        }
        Err(e) => return Err(classify("GetQueueUrl", e)),
    };
    url.ok_or_else(|| Error::internal(format!("SQS returned no URL for the queue {name}")))
}
