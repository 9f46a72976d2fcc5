//! The background work of the local server: fan-out and delivery workers on the two queues
//! (the same handler the Lambda runs), the activation-deadline sweeper, and periodic writes
//! of delivery counts. Each message is handled on its own and acknowledged as soon as it
//! settles; a new one is taken as soon as one settles. A message received
//! more than [`MAX_RECEIVES`] times without being settled is moved to its queue's poison queue
//! (`queue-{name}-dlq.redb`), as SQS's redrive policy does.

use std::sync::Arc;
use std::time::Duration;

use infra::App;
use infra::embedded::EmbeddedQueue;
use shared::error::Result;
use shared::ports::{Queue, Received};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;

/// Receives before a message counts as poison.
pub const MAX_RECEIVES: u32 = 5;
/// Receivers per queue.
const RECEIVERS: usize = 2;
/// Messages one receive takes at most.
const TAKE: usize = 4;
/// Messages of one queue in hand at once: a message that takes long (a slow endpoint's batch
/// within its first-try budget) holds one of these, never its batch-mates.
const IN_HAND: usize = 64;
/// How often the sweeper runs.
const SWEEP_EVERY: Duration = Duration::from_secs(30);
/// How often delivery counts are written.
const FLUSH_EVERY: Duration = Duration::from_secs(1);

/// Where the workers' queues are and how long a received message stays hidden.
#[derive(Clone)]
pub struct WorkerOptions {
    pub data_dir: std::path::PathBuf,
    /// How long a message being handled stays hidden; one not settled by then (its worker
    /// died) is handled again.
    pub visibility: Duration,
}

/// Starts the workers; they stop when `stop` turns true, finishing the messages in hand.
pub fn spawn(
    app: &App,
    options: &WorkerOptions,
    stop: watch::Receiver<bool>,
) -> Result<JoinSet<()>> {
    let mut set = JoinSet::new();
    let queues: [(&str, Arc<dyn Queue>); 2] = [
        (infra::app::FANOUT, app.fanout.clone()),
        (infra::app::DELIVERY, app.deliveries.queue.clone()),
    ];
    for (name, queue) in queues {
        let poison: Arc<dyn Queue> = Arc::new(EmbeddedQueue::open(
            &options.data_dir,
            &format!("{name}-dlq"),
        )?);
        let worker = Worker {
            app: app.clone(),
            poison,
            visibility: options.visibility,
            in_hand: Arc::new(Semaphore::new(IN_HAND)),
            acks: Acks::spawn(&mut set, queue.clone()),
            queue,
        };
        for _ in 0..RECEIVERS {
            set.spawn(worker.clone().receive(stop.clone()));
        }
    }
    set.spawn(sweep(app.clone(), stop.clone()));
    set.spawn(flush(app.clone(), stop));
    Ok(set)
}

/// One queue's receivers share this: each message is handled on a task of its own, holding one
/// of the queue's [`IN_HAND`] permits until it settles; a receive takes as many messages as
/// permits are free (at least one), so a settled message makes room at once.
#[derive(Clone)]
struct Worker {
    app: App,
    queue: Arc<dyn Queue>,
    poison: Arc<dyn Queue>,
    visibility: Duration,
    in_hand: Arc<Semaphore>,
    acks: Acks,
}

impl Worker {
    async fn receive(self, mut stop: watch::Receiver<bool>) {
        let mut handling = JoinSet::new();
        while !*stop.borrow() {
            let permits = tokio::select! {
                p = self.permits() => p,
                _ = stop.changed() => break,
            };
            let received = tokio::select! {
                r = self.queue.receive(permits.len(), self.visibility, Duration::from_secs(1)) => r,
                _ = stop.changed() => break,
            };
            let messages = match received {
                Ok(m) => m,
                Err(e) => {
                    tracing::error!(error = %e, "receive failed");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            for (message, permit) in messages.into_iter().zip(permits) {
                let worker = self.clone();
                handling.spawn(async move {
                    worker.handle(message).await;
                    drop(permit);
                });
            }
            while handling.try_join_next().is_some() {}
        }
        while handling.join_next().await.is_some() {}
    }

    /// At least one permit, waiting for it, and up to [`TAKE`] if they are free.
    async fn permits(&self) -> Vec<OwnedSemaphorePermit> {
        let mut permits = Vec::with_capacity(TAKE);
        if let Ok(first) = self.in_hand.clone().acquire_owned().await {
            permits.push(first);
        }
        while permits.len() < TAKE {
            match self.in_hand.clone().try_acquire_owned() {
                Ok(more) => permits.push(more),
                Err(_) => break,
            }
        }
        permits
    }

    /// Handles one message by the time it shows again on the queue (if that leaves time for
    /// an attempt), and acknowledges it once it settles; a message received more than
    /// [`MAX_RECEIVES`] times goes to the poison queue instead.
    async fn handle(&self, message: Received) {
        if message.receive_count > MAX_RECEIVES {
            tracing::error!(
                receives = message.receive_count,
                "moved a message that keeps failing to the poison queue"
            );
            if self
                .poison
                .send(vec![message.body], Duration::ZERO)
                .await
                .is_ok()
            {
                self.acks.push(message.receipt);
            }
            return;
        }
        let deadline = (self.visibility > self.app.deliveries.attempt_time())
            .then(|| std::time::Instant::now() + self.visibility);
        let record = fanout::Record {
            id: message.receipt,
            body: message.body,
            receive_count: message.receive_count,
        };
        if fanout::handle_one(&self.app.deliveries, &record, deadline).await {
            self.acks.push(record.id);
        }
    }
}

/// Acknowledgements of one queue: those that become due while one is being written go
/// together in the next (one durable write each).
#[derive(Clone)]
struct Acks {
    due: tokio::sync::mpsc::UnboundedSender<String>,
}

impl Acks {
    fn spawn(set: &mut JoinSet<()>, queue: Arc<dyn Queue>) -> Self {
        let (due, mut to_ack) = tokio::sync::mpsc::unbounded_channel::<String>();
        set.spawn(async move {
            while let Some(first) = to_ack.recv().await {
                let mut receipts = vec![first];
                while let Ok(more) = to_ack.try_recv() {
                    receipts.push(more);
                }
                if let Err(e) = queue.ack(&receipts).await {
                    tracing::error!(error = %e, "ack failed; the messages will be handled again");
                }
            }
        });
        Self { due }
    }

    fn push(&self, receipt: String) {
        let _ = self.due.send(receipt);
    }
}

async fn sweep(app: App, mut stop: watch::Receiver<bool>) {
    loop {
        if let Err(e) = sweeper::run(&app.ports, app.fanout.as_ref()).await {
            tracing::error!(error = %e, "sweep failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(SWEEP_EVERY) => {}
            _ = stop.changed() => return,
        }
    }
}

async fn flush(app: App, mut stop: watch::Receiver<bool>) {
    loop {
        let stopping = tokio::select! {
            _ = tokio::time::sleep(FLUSH_EVERY) => false,
            _ = stop.changed() => true,
        };
        if let Err(e) = app.deliveries.stats.flush(&app.ports).await {
            tracing::warn!(error = %e, "delivery counts not written yet");
        }
        if let Err(e) = app.deliveries.log.flush(&app.ports).await {
            tracing::warn!(error = %e, "delivery log entries dropped");
        }
        if stopping {
            return;
        }
    }
}
