//! `SqsQueue`: send in batches (retrying the entries SQS reports failed), receive with long
//! polling, acknowledge by deleting.

use std::time::Duration;

use aws_sdk_sqs::Client;
use aws_sdk_sqs::error::{DisplayErrorContext, SdkError};
use aws_sdk_sqs::types::{
    DeleteMessageBatchRequestEntry, MessageSystemAttributeName, QueueAttributeName,
    SendMessageBatchRequestEntry,
};
use shared::error::{Error, Result};
use shared::ports::{MAX_DELAY, MAX_MESSAGE_BYTES, MAX_RECEIVE, Queue, Received};

/// The most bytes of bodies one SendMessageBatch carries.
const BATCH_BYTES: usize = 256 * 1024;
/// How often the entries of a batch that SQS failed are sent again.
const RETRIES: usize = 3;

/// A queue by URL.
#[derive(Debug, Clone)]
pub struct SqsQueue {
    client: Client,
    url: String,
}

fn classify<E: std::error::Error + 'static>(operation: &str, err: SdkError<E>) -> Error {
    let text = format!("SQS {operation}: {}", DisplayErrorContext(&err));
    match err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => Error::transient(text),
        _ if text.contains("Throttl")
            || text.contains("RequestThrottled")
            || text.contains("ServiceUnavailable") =>
        {
            Error::transient(text)
        }
        _ => Error::internal(text),
    }
}

impl SqsQueue {
    pub fn new(client: Client, url: impl Into<String>) -> Self {
        Self {
            client,
            url: url.into(),
        }
    }

    /// For tests and local runs on an emulator: the queue `name`, created if missing with a
    /// dead-letter queue `name-dlq` that takes messages received more than `max_receives` times.
    pub async fn create_if_missing(client: Client, name: &str, max_receives: u32) -> Result<Self> {
        let dlq = client
            .create_queue()
            .queue_name(format!("{name}-dlq"))
            .send()
            .await
            .map_err(|e| classify("CreateQueue", e))?;
        let dlq_url = dlq.queue_url().unwrap_or_default().to_owned();
        let attrs = client
            .get_queue_attributes()
            .queue_url(&dlq_url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .map_err(|e| classify("GetQueueAttributes", e))?;
        let arn = attrs
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::QueueArn))
            .cloned()
            .unwrap_or_default();
        let redrive =
            format!(r#"{{"deadLetterTargetArn":"{arn}","maxReceiveCount":"{max_receives}"}}"#);
        let queue = client
            .create_queue()
            .queue_name(name)
            .attributes(QueueAttributeName::RedrivePolicy, redrive)
            .attributes(
                QueueAttributeName::MaximumMessageSize,
                MAX_MESSAGE_BYTES.to_string(),
            )
            .send()
            .await
            .map_err(|e| classify("CreateQueue", e))?;
        Ok(Self::new(client, queue.queue_url().unwrap_or_default()))
    }

    async fn send_batch(&self, bodies: &[String], delay: i32) -> Result<()> {
        let mut pending: Vec<usize> = (0..bodies.len()).collect();
        for _ in 0..RETRIES {
            let entries = pending
                .iter()
                .map(|&i| {
                    SendMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .message_body(&bodies[i])
                        .delay_seconds(delay)
                        .build()
                        .map_err(|e| Error::internal(format!("SQS entry: {e}")))
                })
                .collect::<Result<Vec<_>>>()?;
            let out = self
                .client
                .send_message_batch()
                .queue_url(&self.url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| classify("SendMessageBatch", e))?;
            pending = out
                .failed()
                .iter()
                .filter_map(|f| f.id().parse().ok())
                .collect();
            if pending.is_empty() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(Error::transient(format!(
            "SQS refused {} messages after {RETRIES} attempts",
            pending.len()
        )))
    }
}

#[async_trait::async_trait]
impl Queue for SqsQueue {
    async fn send(&self, bodies: Vec<String>, delay: Duration) -> Result<()> {
        if let Some(big) = bodies.iter().find(|b| b.len() > MAX_MESSAGE_BYTES) {
            return Err(Error::invalid(
                "MessageTooLarge",
                format!(
                    "a queue message has {} bytes; at most {MAX_MESSAGE_BYTES}",
                    big.len()
                ),
            ));
        }
        let delay = delay.min(MAX_DELAY).as_secs() as i32;
        let mut start = 0;
        while start < bodies.len() {
            let (mut end, mut bytes) = (start, 0);
            while end < bodies.len() && end - start < 10 && bytes + bodies[end].len() <= BATCH_BYTES
            {
                bytes += bodies[end].len();
                end += 1;
            }
            self.send_batch(&bodies[start..end], delay).await?;
            start = end;
        }
        Ok(())
    }

    async fn receive(
        &self,
        max: usize,
        visibility: Duration,
        wait: Duration,
    ) -> Result<Vec<Received>> {
        let out = self
            .client
            .receive_message()
            .queue_url(&self.url)
            .max_number_of_messages(max.clamp(1, MAX_RECEIVE) as i32)
            .visibility_timeout(visibility.as_secs().min(43_200) as i32)
            .wait_time_seconds(wait.as_secs().min(20) as i32)
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await
            .map_err(|e| classify("ReceiveMessage", e))?;
        Ok(out
            .messages()
            .iter()
            .map(|m| Received {
                body: m.body().unwrap_or_default().to_owned(),
                receipt: m.receipt_handle().unwrap_or_default().to_owned(),
                receive_count: m
                    .attributes()
                    .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(1),
            })
            .collect())
    }

    async fn ack(&self, receipts: &[String]) -> Result<()> {
        for chunk in receipts.chunks(10) {
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    DeleteMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .receipt_handle(r)
                        .build()
                        .map_err(|e| Error::internal(format!("SQS entry: {e}")))
                })
                .collect::<Result<Vec<_>>>()?;
            let out = self
                .client
                .delete_message_batch()
                .queue_url(&self.url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| classify("DeleteMessageBatch", e))?;
            if let Some(failed) = out
                .failed()
                .iter()
                .find(|f| f.code() != "ReceiptHandleIsInvalid")
            {
                return Err(Error::transient(format!(
                    "SQS did not delete a message: {}",
                    failed.code()
                )));
            }
        }
        Ok(())
    }
}
