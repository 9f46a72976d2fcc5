//! `SqsQueue`: the `Queue` port on one SQS standard queue. Sends go out as SendMessageBatch
//! calls of at most 10 entries and 256 KiB of bodies, several at a time, and the entries SQS
//! reports failed are sent again; receives long-poll; an ack is a DeleteMessageBatch.

use std::collections::HashSet;
use std::time::Duration;

use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{
    DeleteMessageBatchRequestEntry, Message, MessageSystemAttributeName,
    SendMessageBatchRequestEntry,
};
use shared::error::{Error, Result};
use shared::ports::{MAX_DELAY, MAX_MESSAGE_BYTES, MAX_RECEIVE, Queue, Received};
use tokio::task::JoinSet;
use tracing::{Instrument, warn};

use super::batches::{BATCH_ENTRIES, split, whole_seconds_up};
use super::errors::{classify, describe, receipt_gone};

/// The error code of a send with a body over [`MAX_MESSAGE_BYTES`].
const MESSAGE_TOO_LARGE: &str = "MessageTooLarge";

/// How many SendMessageBatch calls of one send are in flight at once.
const CONCURRENT_BATCHES: usize = 8;
/// How many times the entries SQS failed are sent, counting the first.
const SEND_ATTEMPTS: u32 = 4;
/// The pause before the first resend of failed entries; it doubles with each resend.
const FIRST_BACKOFF: Duration = Duration::from_millis(50);
/// SQS's longest visibility timeout (12 hours) and long-poll wait, in seconds.
const MAX_VISIBILITY_SECS: u64 = 12 * 60 * 60;
const MAX_WAIT_SECS: u64 = 20;

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
            if let Some(failed) = out.failed().iter().find(|f| !receipt_gone(f)) {
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
