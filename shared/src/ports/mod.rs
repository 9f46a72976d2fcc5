//! The ports: what the domain needs from the outside world. Adapters live in `infra`.

mod attempt;
mod aws_targets;
mod clock;
mod queue;
mod store;
mod webhook;

pub use attempt::{Attempt, Fault, ServiceError};
pub use aws_targets::{TargetDelivery, TargetMessage, Targets};
pub use clock::{Clock, ManualClock, SystemClock};
pub use queue::{Depth, MAX_DELAY, MAX_MESSAGE_BYTES, MAX_RECEIVE, Queue, Received};
pub use store::{
    Expect, Item, Key, MAX_WRITES, Page, Store, Tally, Write, check_batch, is_tally_name,
};
pub use webhook::{DeliveryRequest, Handshake, Webhooks};

use std::sync::Arc;

/// Where deliveries go, and what may be delivered to: webhooks always; AWS targets when the
/// deployment enables them, never its own resources.
#[derive(Clone)]
pub struct Destinations {
    pub webhooks: Arc<dyn Webhooks>,
    pub targets: Option<Arc<dyn Targets>>,
    pub reserved: crate::subscriptions::aws::Reserved,
}

/// One delivery of a batch, in the form its destination takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outbound {
    /// One POST to a webhook or partner destination.
    Webhook(DeliveryRequest),
    /// Messages to an AWS target.
    Aws(TargetDelivery),
}

impl Destinations {
    /// Webhooks only.
    pub fn webhooks(webhooks: Arc<dyn Webhooks>) -> Self {
        Self {
            webhooks,
            targets: None,
            reserved: Default::default(),
        }
    }

    /// Hands `outbound` over: one attempt for a webhook request, one per message for an AWS
    /// target, in order; never fails otherwise. Without AWS targets enabled, each message is a
    /// failed attempt (retried until they are).
    pub async fn send(&self, outbound: &Outbound) -> Vec<Attempt> {
        match outbound {
            Outbound::Webhook(request) => vec![self.webhooks.deliver(request).await],
            Outbound::Aws(delivery) => {
                let count = delivery.messages.len();
                let mut answers = match &self.targets {
                    Some(targets) => targets.deliver(delivery).await,
                    None => vec![Attempt::Service(not_enabled()); count],
                };
                answers.resize(count, Attempt::Service(no_answer()));
                answers
            }
        }
    }
}

fn not_enabled() -> ServiceError {
    ServiceError::new(
        Fault::Unavailable,
        0,
        crate::subscriptions::aws::code::NOT_ENABLED,
        "this server delivers to AWS targets only when started with --aws-targets",
    )
}

fn no_answer() -> ServiceError {
    ServiceError::new(
        Fault::Unavailable,
        0,
        "NoAnswer",
        "the target adapter gave no answer for this message",
    )
}

/// The ports a use case runs against, chosen once by the wiring.
#[derive(Clone)]
pub struct Ports {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
}
