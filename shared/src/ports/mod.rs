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

/// The event handlers deliveries go to, and what may be delivered to: webhooks always; AWS
/// targets when the deployment enables them, never its own resources.
#[derive(Clone)]
pub struct Handlers {
    pub webhooks: Arc<dyn Webhooks>,
    pub targets: Option<Arc<dyn Targets>>,
    pub reserved: crate::subscriptions::aws::Reserved,
}

impl Handlers {
    /// Webhooks only.
    pub fn webhooks(webhooks: Arc<dyn Webhooks>) -> Self {
        Self {
            webhooks,
            targets: None,
            reserved: Default::default(),
        }
    }
}

/// The ports a use case runs against, chosen once by the wiring.
#[derive(Clone)]
pub struct Ports {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
}
