//! The ports: what the domain needs from the outside world. Adapters live in `infra`.

mod clock;
mod queue;
mod store;
mod webhook;

pub use clock::{Clock, ManualClock, SystemClock};
pub use queue::{MAX_DELAY, MAX_MESSAGE_BYTES, MAX_RECEIVE, Queue, Received};
pub use store::{
    Expect, Item, Key, MAX_WRITES, Page, Store, Tally, Write, check_batch, is_tally_name,
};
pub use webhook::{Attempt, DeliveryRequest, Handshake, Webhooks};

use std::sync::Arc;

/// The ports a use case runs against, chosen once by the wiring.
#[derive(Clone)]
pub struct Ports {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
}
