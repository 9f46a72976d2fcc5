//! The sweeper: on each scheduled tick, settles every passed activation deadline.

use shared::ports::Ports;

/// Pairs settled per store round trip.
const BATCH: usize = 100;

/// Sweeps until no passed deadline remains; returns how many were settled.
pub async fn run(ports: &Ports) -> shared::Result<usize> {
    let mut total = 0;
    loop {
        let settled = shared::usecases::expiry::sweep(ports, BATCH).await?;
        total += settled;
        if settled < BATCH {
            return Ok(total);
        }
    }
}
