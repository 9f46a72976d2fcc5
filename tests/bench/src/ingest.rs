//! `bench ingest`: starts the local server on a fresh data directory (in this
//! process, or with `--server-process` in a child process), provisions an activated partner
//! topic over HTTP, then publishes 1 KB CloudEvents in batches from several keep-alive
//! connections for a while and reports accepted events/s and request latency; or, with
//! `--single`, one event per request in CloudEvents structured mode.

use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use serde_json::{Value, json};

use shared::delivery::request as cloudevents_type;

use crate::failure::Failure;
use crate::provision::{Provisioned, provision};
use crate::server::Server;

/// How the load is shaped.
#[derive(clap::Args)]
pub struct IngestOptions {
    /// Connections publishing at once.
    #[arg(long, default_value_t = 16)]
    pub connections: usize,
    /// Seconds to publish for.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Events per request.
    #[arg(long, default_value_t = 100)]
    pub batch: usize,
    /// One event per request, as `application/cloudevents+json` (structured mode) rather than
    /// an array (`--batch` is then 1).
    #[arg(long)]
    pub single: bool,
    /// Approximate size of each event in bytes.
    #[arg(long, default_value_t = 1024)]
    pub event_bytes: usize,
    /// Run the server in a child process (`partner-events serve`, the binary beside this one),
    /// apart from the load.
    #[arg(long)]
    pub server_process: bool,
}

/// What was measured.
pub struct IngestReport {
    /// Events accepted.
    pub events: u64,
    /// Requests answered with success.
    pub requests: u64,
    /// Requests answered with an error status.
    pub errors: u64,
    /// How long publishing lasted.
    pub elapsed: Duration,
    /// Median latency of a successful request.
    pub p50: Duration,
    /// 99th percentile latency of a successful request.
    pub p99: Duration,
}

/// A batch of `n` CloudEvents of about `bytes` each.
fn batch(n: usize, bytes: usize) -> Vec<u8> {
    let filler = "x".repeat(bytes.saturating_sub(160));
    let events: Vec<Value> = (0..n)
        .map(|i| json!({"specversion": "1.0", "id": format!("bench-{i}"), "source": "bench", "type": "Bench.Event", "time": "2026-11-24T00:00:00Z", "data": {"filler": filler}}))
        .collect();
    serde_json::to_vec(&events).unwrap_or_default()
}

/// Runs the benchmark against a local server on a temporary data directory.
pub async fn ingest(options: IngestOptions) -> Result<IngestReport, Failure> {
    let server = Server::start(options.server_process, false).await?;
    let http = reqwest::Client::new();
    let Provisioned { endpoint, key, .. } =
        provision(&http, &server.base, &server.operator).await?;
    let per_request = if options.single { 1 } else { options.batch };
    let (body, content_type) = if options.single {
        let one = serde_json::from_slice::<Vec<Value>>(&batch(1, options.event_bytes))?;
        (serde_json::to_vec(&one[0])?, cloudevents_type::STRUCTURED)
    } else {
        (
            batch(per_request, options.event_bytes),
            cloudevents_type::BATCH,
        )
    };
    let request = Request {
        url: endpoint.parse()?,
        key: key.parse()?,
        content_type: axum::http::HeaderValue::from_static(content_type),
        body: Bytes::from(body),
    };
    let started = Instant::now();
    let until = started + Duration::from_secs(options.seconds);
    let workers: Vec<_> = (0..options.connections)
        .map(|_| tokio::spawn(publish_until(request.clone(), until)))
        .collect();
    let (mut latencies, mut errors) = (Vec::new(), 0);
    for worker in workers {
        let (l, e) = worker.await??;
        latencies.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed();
    server.stop().await?;
    latencies.sort();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Ok(IngestReport {
        events: latencies.len() as u64 * per_request as u64,
        requests: latencies.len() as u64,
        errors,
        elapsed,
        p50: at(0.50),
        p99: at(0.99),
    })
}

/// One publish request, sent again and again.
#[derive(Clone)]
struct Request {
    url: axum::http::Uri,
    key: axum::http::HeaderValue,
    content_type: axum::http::HeaderValue,
    body: Bytes,
}

/// Publishes `request` on one keep-alive connection until `until`; each success's latency and
/// the count of failures. A bare hyper connection, so the load costs little CPU.
async fn publish_until(request: Request, until: Instant) -> Result<(Vec<Duration>, u64), Failure> {
    let authority = request.url.authority().ok_or("no host")?.clone();
    let stream = tokio::net::TcpStream::connect(authority.as_str()).await?;
    stream.set_nodelay(true)?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let (mut latencies, mut errors) = (Vec::new(), 0u64);
    while Instant::now() < until {
        let sent = Instant::now();
        let post = axum::http::Request::post(request.url.path())
            .header("host", authority.as_str())
            .header("aeg-sas-key", request.key.clone())
            .header("content-type", request.content_type.clone())
            .body(Body::from(request.body.clone()))?;
        sender.ready().await?;
        let response = sender.send_request(post).await?;
        let ok = response.status().is_success();
        axum::body::to_bytes(Body::new(response.into_body()), 1 << 20).await?;
        match ok {
            true => latencies.push(sent.elapsed()),
            false => errors += 1,
        }
    }
    Ok((latencies, errors))
}
