//! One attempt of one batch, stage by stage: admitted, prepared, sent in one call to its
//! destination, and each answer settled. A webhook with no free slot before the attempt's
//! start-by answers `NotSent`: the batch waits [`BUSY_ENDPOINT_WAIT`] without using an attempt;
//! a fan-out's first try with no answer within its budget answers `OverBudget`: the batch goes
//! on to the delivery queue at once, its attempts unchanged.
//! An AWS target answers per message, so part of a batch may be delivered and part retried.

use std::time::{Duration, Instant};

use super::{BUSY_ENDPOINT_WAIT, Deliveries};
use crate::delivery::plan::Batch;
use crate::error::Result;
use crate::metrics;
use crate::ports::Attempt;

impl Deliveries {
    pub(super) async fn attempt(&self, batch: Batch, start_by: Option<Instant>) -> Result<()> {
        let Some(batch) = self.admit(batch, start_by).await? else {
            return Ok(());
        };
        let Some(prepared) = self.prepare(&batch, start_by).await? else {
            return Ok(());
        };
        let started = Instant::now();
        let mut sent = match &prepared.outbound {
            Some(outbound) => metrics::timed(self.destinations.send(outbound)).await,
            None => Vec::new(),
        }
        .into_iter();
        let took = started.elapsed();
        let answers: Vec<(Vec<usize>, Attempt)> = prepared
            .messages
            .into_iter()
            .map(|(positions, refused)| {
                let answer = refused.or_else(|| sent.next()).unwrap_or(Attempt::NotSent);
                (positions, answer)
            })
            .collect();
        match answers.as_slice() {
            [(_, Attempt::NotSent)] => return self.defer(&batch, BUSY_ENDPOINT_WAIT).await,
            [(_, Attempt::OverBudget)] => return self.defer(&batch, Duration::ZERO).await,
            _ => {}
        }
        self.settle_all(batch, grouped(answers), took).await
    }

    /// Settles each group of the batch's events that got the same answer.
    async fn settle_all(
        &self,
        batch: Batch,
        answers: Vec<(Vec<usize>, Attempt)>,
        took: Duration,
    ) -> Result<()> {
        if let [(_, answer)] = answers.as_slice() {
            return self.settle(batch, answer, took).await;
        }
        let mut result = Ok(());
        for (positions, answer) in answers {
            if let Err(e) = self.settle(batch.part(&positions), &answer, took).await {
                result = Err(e);
            }
        }
        result
    }
}

/// The events of equal answers together, in the order the answers first came, so what follows
/// one answer (a retry task, a dead-letter write) is done once for all its events.
fn grouped(answers: Vec<(Vec<usize>, Attempt)>) -> Vec<(Vec<usize>, Attempt)> {
    let mut groups: Vec<(Vec<usize>, Attempt)> = Vec::new();
    for (positions, answer) in answers {
        match groups.iter_mut().find(|(_, a)| *a == answer) {
            Some((all, _)) => all.extend(positions),
            None => groups.push((positions, answer)),
        }
    }
    groups
}
