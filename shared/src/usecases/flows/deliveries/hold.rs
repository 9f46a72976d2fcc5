//! Holding a paused subscription's batches: each is stored in the subscription's held
//! partition, oldest first, instead of being attempted, until `resume` sends them back. The
//! hold is written only if the subscription is still paused at that moment (its version is
//! checked in the same write), so a batch is never held after a resume has taken the rest.

use std::sync::Arc;

use super::{Deliveries, Job};
use crate::delivery::log::ms;
use crate::error::{Error, Result};
use crate::ports::{Expect, Key, MAX_WRITES, Write};
use crate::subscriptions::EventSubscription;
use crate::table;
use crate::usecases::support::payloads::task_messages_kept;

/// What became of a batch for a subscription found paused.
pub(super) enum Held {
    /// Stored, to be sent again on resume.
    Kept,
    /// The subscription is no longer paused: attempt the batch with it as it is now.
    Resumed(Arc<EventSubscription>),
    /// The subscription is gone; the batch is dropped with it.
    Gone,
}

/// How long the stored payloads of held events are kept: a pause has no time limit.
const PAYLOAD_KEPT: time::Duration = time::Duration::days(366);
/// Tries before a hold that keeps racing with changes of the subscription gives up.
const TRIES: usize = 5;

impl Deliveries {
    pub(super) async fn hold(&self, job: &Job) -> Result<Held> {
        let key = table::resource_key(&job.subscription.id);
        let partition = table::held_partition(&job.subscription.id);
        let bodies = task_messages_kept(&self.ports, &job.head, &job.events, PAYLOAD_KEPT).await?;
        if bodies.len() >= MAX_WRITES {
            return Err(Error::internal(format!(
                "a batch of {} messages is too large to hold in one write",
                bodies.len()
            )));
        }
        for _ in 0..TRIES {
            let Some(stored) =
                table::get::<EventSubscription>(self.ports.store.as_ref(), &key).await?
            else {
                tracing::info!(subscription = %job.subscription.id, events = job.events.len(), "dropped: the subscription no longer exists");
                return Ok(Held::Gone);
            };
            if stored.value.paused_at.is_none() {
                self.topics.forget(&job.subscription.id.top()?);
                return Ok(Held::Resumed(Arc::new(stored.value)));
            }
            let mut writes = vec![Write::Check {
                key: key.clone(),
                expect: stored.expect(),
            }];
            for body in &bodies {
                let sort = format!(
                    "{:015}#{:016x}",
                    ms(job.head.since),
                    getrandom::u64().unwrap_or(0)
                );
                writes.push(Write::Put {
                    key: Key::new(partition.clone(), sort),
                    body: body.clone(),
                    expires_at: None,
                    expect: Expect::Absent,
                });
            }
            match self.ports.store.write(writes).await {
                Ok(()) => {
                    tracing::info!(subscription = %job.subscription.id, events = job.events.len(), "held: the subscription is paused");
                    return Ok(Held::Kept);
                }
                Err(e) if e.is_conflict() => continue,
                Err(e) => return Err(e),
            }
        }
        Err(Error::transient(
            "the paused subscription kept changing while its events were held; retried later",
        ))
    }
}
