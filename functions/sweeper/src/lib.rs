//! The sweeper: on each scheduled tick, settles every passed activation deadline, then relays
//! the platform events still in the outbox (those of the expiries, and any a request left).

use shared::ports::{Ports, Queue};

/// Pairs settled per store round trip.
const BATCH: usize = 100;

/// Sweeps until no passed deadline remains, then relays platform events to `queue`; returns
/// how many deadlines were settled.
pub async fn run(ports: &Ports, queue: &dyn Queue) -> shared::Result<usize> {
    let swept = sweep(ports).await;
    shared::usecases::flows::relay::relay(ports, queue, usize::MAX).await?;
    swept
}

async fn sweep(ports: &Ports) -> shared::Result<usize> {
    let mut total = 0;
    loop {
        let settled = shared::usecases::flows::expiry::sweep(ports, BATCH).await?;
        total += settled;
        if settled < BATCH {
            return Ok(total);
        }
    }
}
