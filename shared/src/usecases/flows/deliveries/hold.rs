//! Holding a paused subscription's batches: each is stored in the subscription's held
//! partition, oldest first, instead of being attempted, until `resume` sends them back. The
//! subscription is read again after the hold is written: if a resume came in between (and may
//! have released the rest already), the hold takes back what it wrote and sends it on itself,
//! so nothing is held after a resume has released the rest. No transaction: holds of a busy
//! subscription never conflict with each other.

use std::sync::Arc;

use super::Deliveries;
use crate::delivery::plan::Batch;
use crate::error::Result;
use crate::ports::{Expect, Key, Write};
use crate::subscriptions::EventSubscription;
use crate::table;
use crate::usecases::support::payloads::task_messages_kept;

/// What became of a batch for a subscription found paused.
pub(super) enum Held {
    /// Stored (or queued again), to be attempted after the resume.
    Kept,
    /// The subscription is no longer paused: attempt the batch with it as it is now.
    Resumed(Arc<EventSubscription>),
    /// The subscription is gone; the batch is dropped with it.
    Gone,
}

/// How long the stored payloads of held events are kept: a pause has no time limit.
const PAYLOAD_KEPT: time::Duration = time::Duration::days(366);

impl Deliveries {
    pub(super) async fn hold(&self, batch: &Batch) -> Result<Held> {
        let id = &batch.subscription.id;
        match self.current(batch).await? {
            None => return Ok(Held::Gone),
            Some(fresh) if fresh.paused_at.is_none() => return Ok(Held::Resumed(fresh)),
            Some(_) => {}
        }
        let bodies =
            task_messages_kept(&self.ports, &batch.head, &batch.events, PAYLOAD_KEPT).await?;
        let partition = table::held_partition(id);
        let mut held = Vec::with_capacity(bodies.len());
        for body in bodies {
            let key = Key::new(partition.clone(), table::time_ordered(batch.head.since));
            self.ports
                .store
                .write(vec![Write::Put {
                    key: key.clone(),
                    body: body.clone(),
                    expires_at: None,
                    expect: Expect::Absent,
                }])
                .await?;
            held.push((key, body));
        }
        match self.current(batch).await? {
            Some(fresh) if fresh.paused_at.is_none() => {
                let mut taken = Vec::new();
                for (key, body) in held {
                    match self.ports.store.delete(key, Expect::Exists).await {
                        Ok(()) => taken.push(body),
                        Err(e) if e.is_conflict() => {}
                        Err(e) => return Err(e),
                    }
                }
                self.queue.send(taken, std::time::Duration::ZERO).await?;
                tracing::info!(subscription = %id, events = batch.events.len(), "queued again: resumed while being held");
            }
            _ => {
                tracing::info!(subscription = %id, events = batch.events.len(), "held: the subscription is paused")
            }
        }
        Ok(Held::Kept)
    }

    /// The subscription of `batch` as stored now (none when it is gone).
    async fn current(&self, batch: &Batch) -> Result<Option<Arc<EventSubscription>>> {
        let key = table::resource_key(&batch.subscription.id);
        let stored = table::get::<EventSubscription>(self.ports.store.as_ref(), &key).await?;
        if stored.as_ref().is_none_or(|s| s.value.paused_at.is_none()) {
            self.subscriptions.forget(&batch.subscription.id.top()?);
        }
        if stored.is_none() {
            tracing::info!(subscription = %batch.subscription.id, events = batch.events.len(), "dropped: the subscription no longer exists");
        }
        Ok(stored.map(|s| Arc::new(s.value)))
    }
}
