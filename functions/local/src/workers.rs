//! The background work of the local server: fan-out and delivery workers on the two queues
//! (the same handler the Lambda runs), the activation-deadline sweeper, and periodic writes
//! of delivery counts. Each message is acknowledged as soon as it settles. A message received
//! more than [`MAX_RECEIVES`] times without being settled is moved to its queue's poison queue
//! (`queue-{name}-dlq.redb`), as SQS's redrive policy does.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;

use infra::App;
use infra::embedded::EmbeddedQueue;
use shared::error::Result;
use shared::ports::{Queue, Received};
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Receives before a message counts as poison.
pub const MAX_RECEIVES: u32 = 5;
/// Workers per queue.
const WORKERS: usize = 2;
/// Messages one worker takes at a time.
const TAKE: usize = 4;
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
        for _ in 0..WORKERS {
            set.spawn(work(
                app.clone(),
                queue.clone(),
                poison.clone(),
                options.visibility,
                stop.clone(),
            ));
        }
    }
    set.spawn(sweep(app.clone(), stop.clone()));
    set.spawn(flush(app.clone(), stop));
    Ok(set)
}

async fn work(
    app: App,
    queue: Arc<dyn Queue>,
    poison: Arc<dyn Queue>,
    visibility: Duration,
    mut stop: watch::Receiver<bool>,
) {
    while !*stop.borrow() {
        let received = tokio::select! {
            r = queue.receive(TAKE, visibility, Duration::from_secs(1)) => r,
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
        let (poisoned, live): (Vec<_>, Vec<_>) = messages
            .into_iter()
            .partition(|m| m.receive_count > MAX_RECEIVES);
        for message in &poisoned {
            tracing::error!(
                receives = message.receive_count,
                "moved a message that keeps failing to the poison queue"
            );
            if poison
                .send(vec![message.body.clone()], Duration::ZERO)
                .await
                .is_ok()
            {
                let _ = queue.ack(std::slice::from_ref(&message.receipt)).await;
            }
        }
        let deadline = (visibility > app.deliveries.attempt_time())
            .then(|| std::time::Instant::now() + visibility);
        handle_and_ack(&app, queue.as_ref(), live, deadline).await;
    }
}

/// Handles `messages` concurrently by `deadline` (when they show again on the queue, if that
/// leaves time for an attempt) and acknowledges each as soon as it settles; acks that become
/// due while one is being written go together in the next (one durable write each).
async fn handle_and_ack(
    app: &App,
    queue: &dyn Queue,
    messages: Vec<Received>,
    deadline: Option<std::time::Instant>,
) {
    let (settled, mut to_ack) = tokio::sync::mpsc::unbounded_channel::<String>();
    let deliveries = app.deliveries.as_ref();
    let handling = async move {
        futures_util::stream::iter(messages)
            .map(|m| async move {
                let record = fanout::Record {
                    id: m.receipt,
                    body: m.body,
                    receive_count: m.receive_count,
                };
                fanout::handle_one(deliveries, &record, deadline)
                    .await
                    .then_some(record.id)
            })
            .buffer_unordered(fanout::RECORDS_AT_ONCE)
            .for_each(|receipt| {
                if let Some(receipt) = receipt {
                    let _ = settled.send(receipt);
                }
                std::future::ready(())
            })
            .await;
    };
    let acking = async {
        while let Some(first) = to_ack.recv().await {
            let mut receipts = vec![first];
            while let Ok(more) = to_ack.try_recv() {
                receipts.push(more);
            }
            if let Err(e) = queue.ack(&receipts).await {
                tracing::error!(error = %e, "ack failed; the messages will be handled again");
            }
        }
    };
    tokio::join!(handling, acking);
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
