//! The fan-out and delivery handler: each SQS record (a fan-out message or a delivery task)
//! is handled on its own, concurrently with the rest of its batch, and ends as done or as a
//! batch item failure (received again later; after the queue's maxReceiveCount it moves to
//! the queue's DLQ). A record that cannot be parsed fails alone; it never blocks the others.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use futures_util::StreamExt;
use shared::usecases::flows::deliveries::Deliveries;

/// Records one invocation handles at once.
pub const RECORDS_AT_ONCE: usize = 10;

/// One queue message: an id to report it by, its body, and how many times it was received.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: String,
    pub body: String,
    pub receive_count: u32,
}

/// Handles `records` by `deadline` (what cannot be attempted in time is queued for later);
/// returns the ids of those that failed. Delivery counts and log entries are written before it returns (a
/// failure to write them is logged, not a record failure).
pub async fn handle(
    deliveries: &Deliveries,
    records: Vec<Record>,
    deadline: Option<Instant>,
) -> Vec<String> {
    let failed = handle_without_flush(deliveries, records, deadline).await;
    let (counts, log) = futures_util::future::join(
        deliveries.stats.flush(&deliveries.ports),
        deliveries.log.flush(&deliveries.ports),
    )
    .await;
    if let Err(e) = counts {
        tracing::warn!(error = %e, "delivery counts not written yet");
    }
    if let Err(e) = log {
        tracing::warn!(error = %e, "delivery log entries dropped");
    }
    failed
}

/// [`handle`], leaving delivery counts pending for a later flush.
async fn handle_without_flush(
    deliveries: &Deliveries,
    records: Vec<Record>,
    deadline: Option<Instant>,
) -> Vec<String> {
    futures_util::stream::iter(records)
        .map(|record| async move {
            (!handle_one(deliveries, &record, deadline).await).then_some(record.id)
        })
        .buffer_unordered(RECORDS_AT_ONCE)
        .filter_map(|failed| async move { failed })
        .collect()
        .await
}

/// Handles one record; true if it settled (false: logged, to be received again).
pub async fn handle_one(
    deliveries: &Deliveries,
    record: &Record,
    deadline: Option<Instant>,
) -> bool {
    match deliveries
        .handle(&record.body, record.receive_count, deadline)
        .await
    {
        Ok(()) => true,
        Err(e) => {
            tracing::error!(message = %record.id, code = e.code, error = %e, "message not settled; it will be received again");
            false
        }
    }
}

/// The invocation's deadline (Unix ms, as Lambda gives it) as an instant.
pub fn deadline_of(unix_ms: u64) -> Instant {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as u64;
    Instant::now() + Duration::from_millis(unix_ms.saturating_sub(now))
}

/// The Lambda entry: an SQS event in, the partial batch response out.
pub async fn handle_sqs(
    deliveries: &Deliveries,
    event: SqsEvent,
    deadline: Option<Instant>,
) -> SqsBatchResponse {
    let records = event
        .records
        .into_iter()
        .map(|r| Record {
            receive_count: r
                .attributes
                .get("ApproximateReceiveCount")
                .and_then(|n| n.parse().ok())
                .unwrap_or(1),
            id: r.message_id.unwrap_or_default(),
            body: r.body.unwrap_or_default(),
        })
        .collect();
    let failed = handle(deliveries, records, deadline).await;
    let mut response = SqsBatchResponse::default();
    response.batch_item_failures = failed
        .into_iter()
        .map(|id| {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            failure
        })
        .collect();
    response
}
