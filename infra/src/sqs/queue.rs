//! `SqsQueue`: the `Queue` port on one SQS standard queue. Sends go out as SendMessageBatch
//! calls of at most 10 entries and 256 KiB of bodies, several at a time, and the entries SQS
//! reports failed are sent again; receives long-poll; an ack is a DeleteMessageBatch.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::time::Duration;

use aws_sdk_sqs::Client;
use aws_sdk_sqs::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_sqs::operation::get_queue_url::GetQueueUrlError;
use aws_sdk_sqs::types::{
    BatchResultErrorEntry, DeleteMessageBatchRequestEntry, Message, MessageSystemAttributeName,
    QueueAttributeName, SendMessageBatchRequestEntry,
};
use shared::error::{Error, Result};
use shared::ports::{MAX_DELAY, MAX_MESSAGE_BYTES, MAX_RECEIVE, Queue, Received};
use tokio::task::JoinSet;
use tracing::{Instrument, warn};

/// The error code of a send with a body over [`MAX_MESSAGE_BYTES`].
const MESSAGE_TOO_LARGE: &str = "MessageTooLarge";

/// The most entries of one SendMessageBatch or DeleteMessageBatch.
const BATCH_ENTRIES: usize = 10;
/// The most bytes of bodies one SendMessageBatch carries.
const BATCH_BYTES: usize = 256 * 1024;
/// How many SendMessageBatch calls of one send are in flight at once.
const CONCURRENT_BATCHES: usize = 8;
/// How many times the entries SQS failed are sent, counting the first.
const SEND_ATTEMPTS: u32 = 4;
/// The pause before the first resend of failed entries; it doubles with each resend.
const FIRST_BACKOFF: Duration = Duration::from_millis(50);
/// SQS's longest visibility timeout (12 hours) and long-poll wait, in seconds.
const MAX_VISIBILITY_SECS: u64 = 12 * 60 * 60;
const MAX_WAIT_SECS: u64 = 20;
/// What [`SqsQueue::create_if_missing`] sets on both queues.
const VISIBILITY_TIMEOUT_SECS: u32 = 30;
/// How long the dead-letter queue of [`SqsQueue::create_if_missing`] keeps a message (14 days,
/// SQS's longest).
const DLQ_RETENTION_SECS: u32 = 14 * 24 * 60 * 60;

/// Error codes of a request worth retrying (SQS answers some with an
/// `AWS.SimpleQueueService.` prefix).
const TRANSIENT: &[&str] = &[
    "ThrottlingException",
    "Throttling",
    "RequestThrottled",
    "KmsThrottled",
    "OverLimit",
    "ServiceUnavailable",
    "InternalError",
    "InternalFailure",
];
/// Error codes of a delete entry whose message is gone or was received again since.
const RECEIPT_GONE: &[&str] = &[
    "ReceiptHandleIsInvalid",
    "InvalidReceiptHandle",
    "InvalidParameterValue",
];

/// The `Queue` port on an SQS standard queue, by URL.
///
/// Delivery is at least once: a message may come more than once, and a stale receipt may
/// remove a message that was received again since. Delays are capped at [`MAX_DELAY`] (SQS's
/// 15 minutes); visibility and delay round up to whole seconds, the receive wait rounds down
/// and is capped at 20 s. Throttling, timeouts and unreachable endpoints are `Transient`, and
/// so is a send with entries SQS still fails after a few attempts; everything else is
/// `Internal`.
#[derive(Debug, Clone)]
pub struct SqsQueue {
    client: Client,
    url: String,
}

impl SqsQueue {
    /// The queue at `queue_url`, which must exist.
    pub fn new(client: Client, queue_url: impl Into<String>) -> Self {
        Self {
            client,
            url: queue_url.into(),
        }
    }

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

    /// Sends one batch (at most 10 bodies, 256 KiB), resending the entries SQS reports failed.
    async fn send_batch(&self, bodies: Vec<String>, delay_seconds: i32) -> Result<()> {
        let mut pending: Vec<usize> = (0..bodies.len()).collect();
        let mut backoff = FIRST_BACKOFF;
        for attempt in 1..=SEND_ATTEMPTS {
            let entries = pending
                .iter()
                .map(|&i| {
                    SendMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .message_body(&bodies[i])
                        .delay_seconds(delay_seconds)
                        .build()
                        .map_err(|e| Error::internal(format!("building an SQS entry: {e}")))
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
            let failed = out.failed();
            if failed.is_empty() {
                return Ok(());
            }
            if let Some(refused) = failed.iter().find(|f| f.sender_fault()) {
                return Err(Error::internal(format!(
                    "SQS SendMessageBatch refused a message: {}",
                    describe(refused)
                )));
            }
            pending = failed
                .iter()
                .map(|f| {
                    f.id()
                        .parse::<usize>()
                        .ok()
                        .filter(|&i| i < bodies.len())
                        .ok_or_else(|| {
                            Error::internal(format!(
                                "SQS SendMessageBatch failed an unknown entry: {}",
                                describe(f)
                            ))
                        })
                })
                .collect::<Result<_>>()?;
            warn!(
                queue = %self.url,
                failed = pending.len(),
                attempt,
                first = %describe(&failed[0]),
                "SQS failed entries of a batch"
            );
            if attempt < SEND_ATTEMPTS {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
        }
        Err(Error::transient(format!(
            "SQS SendMessageBatch still failed {} of {} messages after {SEND_ATTEMPTS} attempts",
            pending.len(),
            bodies.len()
        )))
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

#[async_trait::async_trait]
impl Queue for SqsQueue {
    /// Batches of at most 10 entries and 256 KiB of bodies, up to 8 calls at a time; on `Err`
    /// the batches not yet sent are dropped (the caller retries the whole send).
    async fn send(&self, bodies: Vec<String>, delay: Duration) -> Result<()> {
        if let Some(big) = bodies.iter().find(|b| b.len() > MAX_MESSAGE_BYTES) {
            return Err(Error::invalid(
                MESSAGE_TOO_LARGE,
                format!(
                    "a queue message of {} bytes is over the limit of {MAX_MESSAGE_BYTES}",
                    big.len()
                ),
            ));
        }
        let delay_seconds = whole_seconds_up(delay.min(MAX_DELAY), MAX_DELAY.as_secs());
        let mut batches = split(bodies).into_iter();
        let mut running = JoinSet::new();
        loop {
            while running.len() < CONCURRENT_BATCHES {
                let Some(batch) = batches.next() else { break };
                let queue = self.clone();
                running.spawn(
                    async move { queue.send_batch(batch, delay_seconds).await }.in_current_span(),
                );
            }
            match running.join_next().await {
                None => return Ok(()),
                Some(Ok(Ok(()))) => {}
                Some(Ok(Err(e))) => return Err(e),
                Some(Err(e)) => return Err(Error::internal(format!("an SQS send task: {e}"))),
            }
        }
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
            .max_number_of_messages(i32::try_from(max.clamp(1, MAX_RECEIVE)).unwrap_or(1))
            .visibility_timeout(whole_seconds_up(visibility, MAX_VISIBILITY_SECS))
            .wait_time_seconds(i32::try_from(wait.as_secs().min(MAX_WAIT_SECS)).unwrap_or(0))
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await
            .map_err(|e| classify("ReceiveMessage", e))?;
        Ok(out
            .messages
            .unwrap_or_default()
            .into_iter()
            .filter_map(received)
            .collect())
    }

    /// DeleteMessageBatch calls of at most 10 distinct receipts; entries SQS fails as invalid
    /// or expired receipts are ignored, any other failure is `Transient`.
    async fn ack(&self, receipts: &[String]) -> Result<()> {
        let mut seen = HashSet::new();
        let receipts: Vec<&str> = receipts
            .iter()
            .map(String::as_str)
            .filter(|r| !r.is_empty() && seen.insert(*r))
            .collect();
        for chunk in receipts.chunks(BATCH_ENTRIES) {
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(i, receipt)| {
                    DeleteMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .receipt_handle(*receipt)
                        .build()
                        .map_err(|e| Error::internal(format!("building an SQS entry: {e}")))
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
                .find(|f| !RECEIPT_GONE.contains(&unprefixed(f.code())))
            {
                return Err(Error::transient(format!(
                    "SQS DeleteMessageBatch failed: {}",
                    describe(failed)
                )));
            }
        }
        Ok(())
    }
}

/// A received message as the port's [`Received`]; `None` without a receipt handle.
fn received(message: Message) -> Option<Received> {
    let receive_count = message
        .attributes()
        .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
        .and_then(|c| c.parse().ok())
        .unwrap_or(1);
    Some(Received {
        receipt: message.receipt_handle?,
        body: message.body.unwrap_or_default(),
        receive_count,
    })
}

/// `bodies` in send order, cut into batches of at most [`BATCH_ENTRIES`] entries and
/// [`BATCH_BYTES`] of bodies (each body being at most that).
fn split(bodies: Vec<String>) -> Vec<Vec<String>> {
    let ranges = batch_ranges(&bodies.iter().map(String::len).collect::<Vec<_>>());
    let mut bodies = bodies.into_iter();
    ranges
        .into_iter()
        .map(|r| bodies.by_ref().take(r.len()).collect())
        .collect()
}

fn batch_ranges(sizes: &[usize]) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, &size) in sizes.iter().enumerate() {
        if i > start && (i - start == BATCH_ENTRIES || bytes + size > BATCH_BYTES) {
            ranges.push(start..i);
            (start, bytes) = (i, 0);
        }
        bytes += size;
    }
    if start < sizes.len() {
        ranges.push(start..sizes.len());
    }
    ranges
}

/// `d` in whole seconds, rounded up and capped at `max`.
fn whole_seconds_up(d: Duration, max: u64) -> i32 {
    let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    i32::try_from(secs.min(max)).unwrap_or(i32::MAX)
}

fn unprefixed(code: &str) -> &str {
    code.strip_prefix("AWS.SimpleQueueService.").unwrap_or(code)
}

fn describe(entry: &BatchResultErrorEntry) -> String {
    format!(
        "entry {}: {} ({})",
        entry.id(),
        entry.code(),
        entry.message().unwrap_or("no message")
    )
}

/// Maps an SDK error to the domain error, per the contract on [`SqsQueue`].
fn classify<E, R>(operation: &str, err: SdkError<E, R>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let transient = match &err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => true,
        SdkError::ServiceError(e) => e
            .err()
            .code()
            .map(unprefixed)
            .is_some_and(|c| TRANSIENT.contains(&c)),
        _ => false,
    };
    let text = format!("SQS {operation}: {}", DisplayErrorContext(&err));
    if transient {
        Error::transient(text)
    } else {
        Error::internal(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::single_range_in_vec_init)]
    fn batches_hold_at_most_ten_entries_and_256_kib_in_send_order() {
        let kib = 1024;
        let cases: &[(&[usize], &[Range<usize>])] = &[
            (&[], &[]),
            (&[1; 10], &[0..10]),
            (&[1; 25], &[0..10, 10..20, 20..25]),
            (&[100 * kib, 100 * kib, 56 * kib, 1], &[0..3, 3..4]),
            (&[256 * kib, 256 * kib, 0], &[0..1, 1..3]),
            (&[200 * kib, 57 * kib, 3], &[0..1, 1..3]),
        ];
        for (sizes, want) in cases {
            assert_eq!(batch_ranges(sizes), *want, "{sizes:?}");
        }
    }

    #[test]
    fn split_keeps_every_body_once_in_order() {
        let bodies: Vec<String> = (0..25)
            .map(|i| format!("{i}{}", "x".repeat(30_000)))
            .collect();
        let batches = split(bodies.clone());
        assert!(
            batches.iter().all(|b| b.len() <= BATCH_ENTRIES
                && b.iter().map(String::len).sum::<usize>() <= BATCH_BYTES)
        );
        assert_eq!(batches.concat(), bodies);
    }

    #[test]
    fn durations_round_up_to_whole_seconds_within_the_cap() {
        assert_eq!(whole_seconds_up(Duration::ZERO, 900), 0);
        assert_eq!(whole_seconds_up(Duration::from_millis(1), 900), 1);
        assert_eq!(whole_seconds_up(Duration::from_millis(1500), 900), 2);
        assert_eq!(whole_seconds_up(Duration::from_secs(2), 900), 2);
        assert_eq!(whole_seconds_up(Duration::from_secs(10_000), 900), 900);
    }
}
