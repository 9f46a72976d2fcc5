//! The `Targets` port: AWS services as event handlers. Deliveries go in each service's batch
//! API and come back one [`Attempt`] per message; a target is checked (exists, reachable with
//! the credentials it would be delivered with) before a subscription is written; dead letters
//! are written to S3.

use super::attempt::{Attempt, ServiceError};
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
    async fn deliver(&self, delivery: &TargetDelivery) -> Vec<Attempt>;

    /// Writes `body` as the object `key` of the S3 bucket `bucket`.
    async fn put_object(
        &self,
        bucket: &TargetRef,
        key: &str,
        body: String,
    ) -> Result<(), ServiceError>;
}
