//! `partner-events bench-ingest`: starts the local server on a fresh data directory, provisions
//! an activated partner topic over HTTP, then publishes 1 KB CloudEvents in batches from
//! several connections for a while and reports accepted events/s and request latency; or, with
//! `--single`, one event per request in CloudEvents structured mode.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use shared::ports::SystemClock;

use crate::Options;
use shared::delivery::request as cloudevents_type;

/// How the load is shaped.
#[derive(clap::Args)]
pub struct BenchOptions {
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
}

/// What was measured.
pub struct Report {
    pub events: u64,
    pub requests: u64,
    pub errors: u64,
    pub elapsed: Duration,
    pub p50: Duration,
    pub p99: Duration,
}

pub(crate) type Failure = Box<dyn std::error::Error + Send + Sync>;

pub(crate) async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    key: &str,
    body: Value,
) -> Result<Value, Failure> {
    let response = http
        .request(method, url)
        .bearer_auth(key)
        .json(&body)
        .send()
        .await?;
    let status = response.status();
    let text = response.text().await?;
    if !status.is_success() {
        return Err(format!("{url}: {status} {text}").into());
    }
    Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// An activated partner topic: where to publish, with what key, and who may subscribe.
#[derive(Clone)]
pub(crate) struct Provisioned {
    pub endpoint: String,
    pub key: String,
    pub customer_key: String,
    /// The partner topic's URL.
    pub topic: String,
}

/// One principal calling the API below one base URL with its key.
struct Caller<'a> {
    http: &'a reqwest::Client,
    base: String,
    key: &'a str,
}

impl Caller<'_> {
    async fn put(&self, path: &str, body: Value) -> Result<Value, Failure> {
        self.send(reqwest::Method::PUT, path, body).await
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value, Failure> {
        self.send(reqwest::Method::POST, path, body).await
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> Result<Value, Failure> {
        call(
            self.http,
            method,
            &format!("{}/{path}", self.base),
            self.key,
            body,
        )
        .await
    }
}

/// Provisions an activated partner topic.
pub(crate) async fn provision(
    http: &reqwest::Client,
    base: &str,
    operator: &str,
) -> Result<Provisioned, Failure> {
    let (psub, csub) = (
        uuid::Uuid::new_v4().to_string(),
        uuid::Uuid::new_v4().to_string(),
    );
    let admin = Caller {
        http,
        base: format!("{base}/admin"),
        key: operator,
    };
    let partner = admin
        .post(
            "principals",
            json!({"name": "bench-partner", "subscriptions": [psub]}),
        )
        .await?;
    let customer = admin
        .post(
            "principals",
            json!({"name": "bench-customer", "subscriptions": [csub]}),
        )
        .await?;
    let scope = |sub: &str| {
        format!("{base}/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.EventGrid")
    };
    let partner = Caller {
        http,
        base: scope(&psub),
        key: partner["key"].as_str().unwrap_or_default(),
    };
    let customer = Caller {
        http,
        base: scope(&csub),
        key: customer["key"].as_str().unwrap_or_default(),
    };
    let reg = partner.put("partnerRegistrations/bench", json!({})).await?;
    let ns = partner
        .put(
            "partnerNamespaces/bench-ns",
            json!({"properties": {"partnerRegistrationFullyQualifiedId": reg["id"]}}),
        )
        .await?;
    customer
        .put("partnerConfigurations/default", json!({}))
        .await?;
    customer
        .post(
            "partnerConfigurations/default/authorizePartner",
            json!({"partnerName": "bench"}),
        )
        .await?;
    let channel = json!({"properties": {"partnerTopicInfo": {"azureSubscriptionId": csub, "resourceGroupName": "rg", "name": "bench-topic", "source": "bench"}}});
    partner
        .put("partnerNamespaces/bench-ns/channels/bench", channel)
        .await?;
    customer
        .post("partnerTopics/bench-topic/activate", json!({}))
        .await?;
    let keys = partner
        .post("partnerNamespaces/bench-ns/listKeys", json!({}))
        .await?;
    Ok(Provisioned {
        endpoint: ns["properties"]["endpoint"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        key: keys["key1"].as_str().unwrap_or_default().to_owned(),
        customer_key: customer.key.to_owned(),
        topic: format!("{}/partnerTopics/bench-topic", customer.base),
    })
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
pub async fn ingest(options: BenchOptions) -> Result<Report, Failure> {
    let dir = tempfile::tempdir()?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let mut server_options = Options::new(dir.path(), base.clone());
    server_options.clock = Arc::new(SystemClock);
    let (operator, _) = crate::operator_key(&server_options)?;
    let app = crate::open(&server_options, &operator).await?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(crate::serve(listener, app, server_options.clone(), async {
        let _ = stopped.await;
    }));
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(options.connections)
        .build()?;
    let Provisioned { endpoint, key, .. } = provision(&http, &base, operator.secret()).await?;
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
    let body = axum::body::Bytes::from(body);
    let started = Instant::now();
    let until = started + Duration::from_secs(options.seconds);
    let workers: Vec<_> = (0..options.connections)
        .map(|_| {
            let (http, endpoint, key, body) =
                (http.clone(), endpoint.clone(), key.clone(), body.clone());
            tokio::spawn(async move {
                let (mut latencies, mut errors) = (Vec::new(), 0u64);
                while Instant::now() < until {
                    let sent = Instant::now();
                    let response = http
                        .post(&endpoint)
                        .header("aeg-sas-key", &key)
                        .header("content-type", content_type)
                        .body(body.clone())
                        .send()
                        .await;
                    match response {
                        Ok(r) if r.status().is_success() => latencies.push(sent.elapsed()),
                        _ => errors += 1,
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let (mut latencies, mut errors) = (Vec::new(), 0);
    for worker in workers {
        let (l, e) = worker.await?;
        latencies.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed();
    let _ = stop.send(());
    server.await??;
    latencies.sort();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Ok(Report {
        events: latencies.len() as u64 * per_request as u64,
        requests: latencies.len() as u64,
        errors,
        elapsed,
        p50: at(0.50),
        p99: at(0.99),
    })
}
