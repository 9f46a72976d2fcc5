//! `partner-events`: the whole service in one local process.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use local::Options;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "partner-events",
    version,
    about = "Azure Event Grid partner events, self-hosted"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve every route on one port, keeping all state in the data directory.
    Serve(ServeArgs),
    /// Receive webhook deliveries and print them: passes the validation handshake, shows
    /// headers and events, checks signatures, and can fail some deliveries to show retries.
    ///
    /// Subscribe a WebHook to http://<listen>/ (the server needs --allow-private-webhooks).
    Listen(local::receiver::ListenOptions),
}

#[derive(clap::Args)]
struct ServeArgs {
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    #[arg(long, default_value = "./data")]
    data_dir: PathBuf,
    /// Base of namespace endpoints and nextLinks (default http://<listen>).
    #[arg(long)]
    public_url: Option<String>,
    /// Allow webhook targets on loopback and private networks.
    #[arg(long)]
    allow_private_webhooks: bool,
    /// CIDR blocks (comma-separated) webhooks may reach besides public addresses.
    #[arg(long, default_value = "")]
    allowed_webhook_networks: String,
    /// Seconds a queue message being handled stays hidden; one whose worker died is
    /// handled again after this.
    #[arg(long, default_value_t = local::DEFAULT_VISIBILITY_TIMEOUT.as_secs())]
    visibility_timeout: u64,
    /// The most webhook deliveries in flight at once (a kill -9 may deliver these twice).
    #[arg(long, default_value_t = local::DEFAULT_MAX_DELIVERIES_IN_FLIGHT)]
    max_deliveries_in_flight: usize,
    /// Seconds a connection may take to send a request's headers, from being opened or done
    /// with its previous request (so also how long an idle keep-alive connection stays open).
    #[arg(long, default_value_t = local::DEFAULT_HEADER_TIMEOUT.as_secs())]
    header_timeout: u64,
    /// Seconds a request's body may take to arrive after its headers (then 408).
    #[arg(long, default_value_t = local::DEFAULT_BODY_TIMEOUT.as_secs())]
    body_timeout: u64,
    /// Connections open at once (keep it well below `ulimit -n`); at the cap a new connection
    /// closes the oldest one that is not inside a request.
    #[arg(long, default_value_t = local::DEFAULT_MAX_CONNECTIONS)]
    max_connections: usize,
    /// Deliver to AWS targets (SqsQueue, SnsTopic, EventBridgeBus, KinesisStream,
    /// LambdaFunction, S3 dead letters) with the standard AWS environment (AWS_ENDPOINT_URL,
    /// AWS_REGION, credentials); also PARTNER_EVENTS_AWS_TARGETS=1.
    #[arg(long)]
    aws_targets: bool,
    /// Seconds Ctrl-C or SIGTERM waits for in-flight requests and deliveries before exiting.
    #[arg(long, default_value_t = local::DEFAULT_DRAIN_TIMEOUT.as_secs())]
    drain_timeout: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    infra::telemetry::init();
    let serve = match Cli::parse().command {
        Command::Serve(serve) => serve,
        Command::Listen(options) => return listen(options).await,
    };
    let listen = serve.listen;
    let mut options = Options::new(
        serve.data_dir,
        serve
            .public_url
            .unwrap_or_else(|| format!("http://{listen}")),
    );
    options.operator_key = std::env::var(infra::config::OPERATOR_KEY)
        .ok()
        .filter(|k| !k.is_empty());
    options.webhook_networks = if serve.allow_private_webhooks {
        infra::webhook::AllowedNetworks::all()
    } else {
        match infra::webhook::AllowedNetworks::parse(&serve.allowed_webhook_networks) {
            Ok(networks) => networks,
            Err(e) => {
                eprintln!("partner-events: {}", e.message);
                return ExitCode::from(2);
            }
        }
    };
    options.visibility_timeout = Duration::from_secs(serve.visibility_timeout.max(1));
    options.max_deliveries_in_flight = serve.max_deliveries_in_flight.max(1);
    options.header_timeout = Duration::from_secs(serve.header_timeout.max(1));
    options.body_timeout = Duration::from_secs(serve.body_timeout.max(1));
    options.max_connections = serve.max_connections.max(1);
    options.drain_timeout = Duration::from_secs(serve.drain_timeout);
    options.aws_targets = serve.aws_targets;
    match run(listen, options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("partner-events: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(listen: SocketAddr, options: Options) -> Result<(), Box<dyn std::error::Error>> {
    let (operator, new) = local::operator_key(&options)?;
    if new {
        println!(
            "operator key (shown once; also stored in {:?}): {}",
            options.data_dir.join(local::OPERATOR_KEY_FILE),
            operator.secret()
        );
    }
    let app = local::open(&options, &operator).await?;
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!(listen = %listener.local_addr()?, data_dir = ?options.data_dir, public_url = %options.public_url, "serving");
    local::serve(listener, app, options, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

async fn listen(options: local::receiver::ListenOptions) -> ExitCode {
    let listener = match tokio::net::TcpListener::bind(options.listen).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("partner-events listen: {}: {e}", options.listen);
            return ExitCode::FAILURE;
        }
    };
    let address = listener.local_addr().map_or(options.listen, |a| a);
    println!(
        "listening on http://{address}/ : subscribe a WebHook to it (serve with --allow-private-webhooks); Ctrl-C stops"
    );
    let out: local::receiver::Output =
        std::sync::Arc::new(std::sync::Mutex::new(std::io::stdout()));
    match local::receiver::serve(listener, options, out, shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("partner-events listen: {e}");
            ExitCode::FAILURE
        }
    }
}
