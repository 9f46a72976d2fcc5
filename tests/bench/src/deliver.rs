//! `bench deliver`: the local server on a fresh data directory (in this process, or with
//! `--server-process` in a child process) delivering to a local keep-alive receiver in this
//! process ([`receiver`]). Throughput: publish events in batches to a topic with N
//! subscriptions and time until every delivery arrived. Latency: publish single events at a
//! steady rate and measure publish-to-receive time at the receiver.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::failure::Failure;
use crate::provision::{Provisioned, call, provision};
use crate::receiver::{self, Received};
use crate::server::Server;

/// How long the latency run waits after the throughput run, so it measures the steady rate and
/// not the server still writing the burst's delivery counts and log (flushed each second).
const SETTLE: Duration = Duration::from_secs(2);

/// How the load is shaped.
#[derive(clap::Args)]
pub struct DeliverOptions {
    /// Subscriptions on the topic; each gets every event.
    #[arg(long, default_value_t = 10)]
    pub subscriptions: usize,
    /// Endpoints (loopback addresses of the receiver) the subscriptions are spread over. The
    /// server holds at most 64 requests in flight to one endpoint.
    #[arg(long, default_value_t = 1)]
    pub endpoints: usize,
    /// Events published in the throughput run.
    #[arg(long, default_value_t = 20_000)]
    pub events: usize,
    /// Events per request in the throughput run.
    #[arg(long, default_value_t = 100)]
    pub batch: usize,
    /// Connections publishing at once in the throughput run.
    #[arg(long, default_value_t = 4)]
    pub connections: usize,
    /// Events per second of the latency run.
    #[arg(long, default_value_t = 1000)]
    pub rate: u64,
    /// Seconds the latency run lasts.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Run the server in a child process (`partner-events serve`, the binary beside this one),
    /// apart from the load and the receiver.
    #[arg(long)]
    pub server_process: bool,
}

/// What was measured.
pub struct DeliverReport {
    /// Deliveries that arrived in the throughput run.
    pub deliveries: u64,
    /// How long the throughput run took, from the first publish until every delivery arrived.
    pub elapsed: Duration,
    /// Latency events that arrived in the latency run.
    pub latency_deliveries: u64,
    /// Median publish-to-receive time of a latency event.
    pub p50: Duration,
    /// 99th percentile publish-to-receive time of a latency event.
    pub p99: Duration,
}

/// Runs both measurements against a local server on a temporary data directory.
pub async fn deliver(options: DeliverOptions) -> Result<DeliverReport, Failure> {
    let server = Server::start(options.server_process, true).await?;
    let http = reqwest::Client::new();
    let topic = provision(&http, &server.base, &server.operator).await?;
    let (hooks, received) = receiver::start(options.endpoints).await?;
    subscribe(&http, &topic, &hooks, options.subscriptions).await?;
    received.count.store(0, Ordering::Relaxed);
    let (deliveries, elapsed) = throughput(&http, &topic, &received, &options).await?;
    tokio::time::sleep(SETTLE).await;
    latency(&http, &topic, &received, &options).await?;
    server.stop().await?;
    let mut latencies =
        std::mem::take(&mut *received.latencies.lock().unwrap_or_else(|e| e.into_inner()));
    latencies.sort_unstable();
    let at = |q: f64| {
        let i = ((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1));
        Duration::from_micros(latencies.get(i).copied().unwrap_or_default())
    };
    Ok(DeliverReport {
        deliveries,
        elapsed,
        latency_deliveries: latencies.len() as u64,
        p50: at(0.5),
        p99: at(0.99),
    })
}

/// Creates `subscriptions` WebHook subscriptions on the topic, spread over the receiver's
/// `hooks` (each passes the validation handshake).
async fn subscribe(
    http: &reqwest::Client,
    topic: &Provisioned,
    hooks: &[String],
    subscriptions: usize,
) -> Result<(), Failure> {
    for n in 0..subscriptions {
        call(
            http,
            reqwest::Method::PUT,
            &format!("{}/eventSubscriptions/bench-{n}", topic.topic),
            &topic.customer_key,
            json!({"properties": {"destination": {"endpointType": "WebHook", "properties": {"endpointUrl": format!("{}/hook/{n}", hooks[n % hooks.len()])}}}}),
        )
        .await?;
    }
    Ok(())
}

/// The throughput run: publishes `--events` in batches from `--connections` at once and waits
/// (at most 300 s) until every delivery arrived; the deliveries that did and the time taken.
async fn throughput(
    http: &reqwest::Client,
    topic: &Provisioned,
    received: &Received,
    options: &DeliverOptions,
) -> Result<(u64, Duration), Failure> {
    let filler = "x".repeat(850);
    let batches = options.events.div_ceil(options.batch.max(1));
    let started = Instant::now();
    let next = Arc::new(AtomicU64::new(0));
    let publishers: Vec<_> = (0..options.connections.max(1))
        .map(|_| {
            let (http, next, filler) = (http.clone(), next.clone(), filler.clone());
            let topic = topic.clone();
            let per_batch = options.batch;
            tokio::spawn(async move {
                loop {
                    let b = next.fetch_add(1, Ordering::Relaxed) as usize;
                    if b >= batches {
                        return Ok::<(), Failure>(());
                    }
                    let events: Vec<_> = (0..per_batch)
                        .map(|i| json!({"specversion": "1.0", "id": format!("{b}-{i}"), "source": "bench", "type": "Bench.Event", "data": {"filler": filler}}))
                        .collect();
                    publish(&http, &topic, serde_json::to_vec(&events)?).await?;
                }
            })
        })
        .collect();
    for p in publishers {
        p.await??;
    }
    let expected = (batches * options.batch * options.subscriptions) as u64;
    let deadline = Instant::now() + Duration::from_secs(300);
    while received.count.load(Ordering::Relaxed) < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = started.elapsed();
    Ok((received.count.load(Ordering::Relaxed), elapsed))
}

/// The latency run: publishes one event at a time at `--rate` for `--seconds`, each carrying
/// its send time, and waits (at most 60 s) until each subscription received every one.
async fn latency(
    http: &reqwest::Client,
    topic: &Provisioned,
    received: &Received,
    options: &DeliverOptions,
) -> Result<(), Failure> {
    let before = received.count.load(Ordering::Relaxed);
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / options.rate.max(1)));
    let until = Instant::now() + Duration::from_secs(options.seconds);
    let mut n = 0u64;
    while Instant::now() < until {
        tick.tick().await;
        n += 1;
        let body = serde_json::to_vec(
            &json!([{"specversion": "1.0", "id": format!("l-{n}"), "source": "bench", "type": "Bench.Latency", "data": {"sentAt": receiver::now_micros()}}]),
        )?;
        let (http, topic) = (http.clone(), topic.clone());
        tokio::spawn(async move { publish(&http, &topic, body).await });
    }
    let want = before + n * options.subscriptions as u64;
    let deadline = Instant::now() + Duration::from_secs(60);
    while received.count.load(Ordering::Relaxed) < want && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Ok(())
}

/// Publishes one batch body to the topic's namespace.
async fn publish(
    http: &reqwest::Client,
    topic: &Provisioned,
    body: Vec<u8>,
) -> Result<(), Failure> {
    let response = http
        .post(&topic.endpoint)
        .header("aeg-sas-key", &topic.key)
        .header("content-type", "application/cloudevents-batch+json")
        .body(body)
        .send()
        .await?;
    if !response.status().is_success() {
        return Err(format!("publish: {}", response.status()).into());
    }
    Ok(())
}
