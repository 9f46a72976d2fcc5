//! The local server: every router on one HTTP listener, and the fan-out and delivery workers
//! and the sweeper in the background, on the embedded adapters (or on the AWS adapters when
//! `PARTNER_EVENTS_TABLE` is set), with a shutdown that drains for a bounded time.

pub mod connections;
pub mod metrics;
pub mod receiver;
pub mod workers;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use infra::webhook::AllowedNetworks;
use infra::{App, Config};
use shared::auth::ApiKey;
use shared::error::{Error, Result};
use shared::ports::{Clock, SystemClock, Targets};
use shared::subscriptions::aws::Reserved;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

/// Where the operator key is kept when the environment does not provide one.
pub const OPERATOR_KEY_FILE: &str = "operator-key";

/// The default of [`Options::visibility_timeout`]: longer than a batch of deliveries to
/// slow endpoints (30 s each) takes.
pub const DEFAULT_VISIBILITY_TIMEOUT: Duration = Duration::from_secs(120);
/// Webhook deliveries in flight at once by default: enough to keep a local receiver busy, few
/// enough that a kill -9 delivers little twice.
pub const DEFAULT_MAX_DELIVERIES_IN_FLIGHT: usize = 32;
/// The default of [`Options::header_timeout`]: ample for any client not trying to hold the
/// connection, short enough that a held one is soon given back.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// The default of [`Options::body_timeout`]: a 1 MB publish at 300 kbit/s.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// The default of [`Options::max_connections`]: half the usual 1024 open-file limit, leaving
/// room for the data files and webhook connections.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
/// The default of [`Options::drain_timeout`]: in-flight requests take milliseconds, and this is
/// well inside the 10 s `docker stop` waits before SIGKILL.
pub const DEFAULT_DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// How the local server is set up.
#[derive(Clone)]
pub struct Options {
    pub data_dir: PathBuf,
    pub public_url: String,
    pub operator_key: Option<String>,
    pub clock: Arc<dyn Clock>,
    /// Networks webhooks may reach besides public addresses.
    pub webhook_networks: AllowedNetworks,
    /// How long a queue message being handled stays hidden before another worker may take
    /// it (its worker died).
    pub visibility_timeout: Duration,
    /// Run the fan-out and delivery workers and the sweeper (off: accepted events stay queued).
    pub workers: bool,
    /// The most webhook deliveries in flight at once: what a kill -9 may deliver twice.
    pub max_deliveries_in_flight: usize,
    /// How long a connection may take to send a request's headers, from being opened or done
    /// with its previous request (so also how long a keep-alive connection may sit idle).
    pub header_timeout: Duration,
    /// How long a request's body may take to arrive after its headers (then 408).
    pub body_timeout: Duration,
    /// Connections open at once; at the cap, a new one closes the oldest outside a request.
    pub max_connections: usize,
    /// How long a shutdown waits for requests and messages in hand before closing the rest.
    pub drain_timeout: Duration,
    /// Deliver to AWS targets (also with `PARTNER_EVENTS_AWS_TARGETS=1`), through the
    /// standard AWS environment, or through `targets` when given.
    pub aws_targets: bool,
    pub targets: Option<Arc<dyn Targets>>,
    /// ARNs never allowed as targets, besides `PARTNER_EVENTS_RESERVED_ARNS`'.
    pub reserved_arns: Reserved,
}

impl Options {
    pub fn new(data_dir: impl Into<PathBuf>, public_url: impl Into<String>) -> Self {
        Self {
            data_dir: data_dir.into(),
            public_url: public_url.into(),
            operator_key: None,
            clock: Arc::new(SystemClock),
            webhook_networks: AllowedNetworks::default(),
            visibility_timeout: DEFAULT_VISIBILITY_TIMEOUT,
            workers: true,
            max_deliveries_in_flight: DEFAULT_MAX_DELIVERIES_IN_FLIGHT,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            drain_timeout: DEFAULT_DRAIN_TIMEOUT,
            aws_targets: false,
            targets: None,
            reserved_arns: Reserved::default(),
        }
    }
}

/// The operator key: given, or read from the data directory, or generated and stored there
/// (then `true`: it is new and should be shown once).
pub fn operator_key(options: &Options) -> Result<(ApiKey, bool)> {
    if let Some(key) = &options.operator_key {
        return Ok((ApiKey::from_secret(key.clone()), false));
    }
    let path = options.data_dir.join(OPERATOR_KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(key) => {
            infra::embedded::private_file(&options.data_dir, OPERATOR_KEY_FILE)?;
            Ok((ApiKey::from_secret(key.trim().to_owned()), false))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = ApiKey::generate()?;
            write_private(&options.data_dir, &path, key.secret())
                .map_err(|e| Error::internal(format!("writing {path:?}: {e}")))?;
            Ok((key, true))
        }
        Err(e) => Err(Error::internal(format!("reading {path:?}: {e}"))),
    }
}

/// Writes a secret readable by its owner only.
fn write_private(
    dir: &std::path::Path,
    path: &std::path::Path,
    secret: &str,
) -> std::io::Result<()> {
    use std::io::Write;
    infra::embedded::private_dir(dir).map_err(|e| std::io::Error::other(e.message))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(secret.as_bytes())
}

/// Wires the app: DynamoDB and SQS when `PARTNER_EVENTS_TABLE` is set, else the data directory;
/// installs the Prometheus metrics recorder first.
pub async fn open(options: &Options, operator: &ApiKey) -> Result<App> {
    infra::metrics::prometheus()?;
    let config = Config {
        operator: Some(operator.hash()),
        operator_secret: None,
        public_url: options.public_url.clone(),
        webhook_networks: options.webhook_networks.clone(),
        max_deliveries_in_flight: Some(options.max_deliveries_in_flight),
        ..Config::from_env()?
    };
    let mut reserved = config.reserved_arns.clone();
    reserved.0.extend(options.reserved_arns.0.iter().cloned());
    let config = Config {
        aws_targets: config.aws_targets || options.aws_targets,
        reserved_arns: reserved,
        ..config
    };
    match &config.table {
        Some(_) => App::aws(&config).await,
        None => {
            let targets = match &options.targets {
                Some(targets) => Some(targets.clone()),
                None => infra::app::targets_of(&config).await,
            };
            App::embedded(&options.data_dir, &config, options.clock.clone(), targets)
        }
    }
}

/// Every route of every function (the console's among them), plus `/healthz` and `/metrics`.
pub fn router(app: App) -> Router {
    let routes = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .merge(metrics::router(app.clone()))
        .merge(authorizations::router(app.clone()))
        .merge(provisioning::router(app.clone()))
        .merge(ingest::router(app))
        .merge(console::router())
        .method_not_allowed_fallback(infra::http::method_not_allowed);
    infra::http::standalone(routes).layer(TraceLayer::new_for_http())
}

/// Serves `app` on `listener` and runs the background workers until `shutdown` resolves, then
/// stops accepting, lets in-flight requests and the messages in hand finish for at most
/// [`Options::drain_timeout`], and drops what is left (unacknowledged messages are handled again
/// after the next start).
pub async fn serve(
    listener: TcpListener,
    app: App,
    options: Options,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let worker_options = workers::WorkerOptions {
        data_dir: options.data_dir.clone(),
        visibility: options.visibility_timeout,
    };
    let mut running = if options.workers {
        workers::spawn(&app, &worker_options, stopping.clone())
            .map_err(|e| std::io::Error::other(e.to_string()))?
    } else {
        tokio::task::JoinSet::new()
    };
    running.spawn(metrics::upkeep(stopping.clone()));
    let limits = connections::Limits {
        header_timeout: options.header_timeout,
        body_timeout: options.body_timeout,
        max_connections: options.max_connections,
    };
    let mut connections =
        connections::accept(listener, router(app), limits, shutdown, stopping).await;
    let _ = stop.send(true);
    let drained = tokio::time::timeout(options.drain_timeout, async {
        while connections.join_next().await.is_some() {}
        while running.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            connections = connections.len(),
            workers = running.len(),
            "drain timeout passed; closing what is left"
        );
        connections.shutdown().await;
        running.shutdown().await;
    }
    Ok(())
}
