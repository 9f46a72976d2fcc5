//! The `Targets` port: AWS services as event handlers. Deliveries go in each service's batch
//! API and come back one [`Attempt`] per message; a target is checked (exists, reachable with
//! the credentials it would be delivered with) before a subscription is written; dead letters
//! are written to S3.

use crate::subscriptions::aws::TargetRef;

/// One message for a target: the body and what the service wants beside it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetMessage {
    /// The CloudEvent as published (a JSON array of them for a batching Lambda).
    pub body: String,
    /// FIFO queues and topics.
    pub group_id: Option<String>,
    /// FIFO queues and topics: the same for every attempt of one delivery, so the service
    /// drops a retry of a send it already took.
    pub deduplication_id: Option<String>,
    /// Kinesis.
    pub partition_key: Option<String>,
    /// EventBridge: the entry's `Source` and `DetailType`.
    pub source: Option<String>,
    pub detail_type: Option<String>,
    /// SQS and SNS message attributes (strings).
    pub attributes: Vec<(String, String)>,
}

/// Why a service did not take a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Throttled: tried again on the schedule.
    Throttled,
    /// A server error, a timeout, no connection, or a Lambda function error: tried again.
    Unavailable,
    /// Access denied (to the target or to the role): dead-lettered at once.
    Denied,
    /// The target does not exist: dead-lettered at once.
    Missing,
    /// The target cannot carry the message (too large, refused by its rules): dead-lettered
    /// at once.
    Unfit,
}

/// What a service answered to one message, when it did not take it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    pub fault: Fault,
    /// The HTTP status of the service's answer (0 when there was none).
    pub status: u16,
    /// The service's error code (`AWS.SimpleQueueService.NonExistentQueue`,
    /// `ThrottlingException`, ...), or ours for a message refused before sending.
    pub code: String,
    pub message: String,
}

impl ServiceError {
    pub fn new(
        fault: Fault,
        status: u16,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            fault,
            status,
            code: code.into(),
            message: message.into(),
        }
    }
}

/// A delivery to an AWS target: the messages in order, sent with `target`'s credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetDelivery {
    pub target: TargetRef,
    pub messages: Vec<TargetMessage>,
}

#[async_trait::async_trait]
pub trait Targets: Send + Sync {
    /// Checks that the target exists and can be reached with its credentials (the assumed
    /// role, or the deployment's own); `Err` says what the service answered.
    async fn check(&self, target: &TargetRef) -> Result<(), String>;

    /// Sends every message in the service's batch calls (within their limits); one attempt per
    /// message, in order: `Answered { status: 200 }` for one the service took, `Service` for
    /// one it did not (a failed call fails each of its messages).
    async fn deliver(&self, delivery: &TargetDelivery) -> Vec<super::Attempt>;

    /// Writes `body` as the object `key` of the S3 bucket `bucket`.
    async fn put_object(
        &self,
        bucket: &TargetRef,
        key: &str,
        body: String,
    ) -> Result<(), ServiceError>;
}
