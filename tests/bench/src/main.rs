//! `bench`: measures the local server's ingest and delivery, and prints each result as a Markdown table.
//! A tool beside the product: the server runs in this process from the `local` library, or with
//! `--server-process` as the `partner-events` binary built beside this one.

mod deliver;
mod failure;
mod ingest;
mod provision;
mod receiver;
mod server;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::deliver::DeliverOptions;
use crate::ingest::IngestOptions;

/// The server's allocator in this process too, so in-process numbers match `partner-events`'.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "bench", about = "Measure the local partner-events server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Measure ingest: events/s accepted and request latency.
    ///
    /// Publishes CloudEvents (1 KB by default) in batches over HTTP to a local server on a
    /// temporary data directory.
    Ingest(IngestOptions),
    /// Measure delivery: deliveries/s, then publish-to-receive latency at a steady rate.
    ///
    /// Delivers to a local keep-alive receiver with N subscriptions per topic, from a local
    /// server on a temporary data directory.
    Deliver(DeliverOptions),
}

#[tokio::main]
async fn main() -> ExitCode {
    infra::telemetry::init();
    match Cli::parse().command {
        Command::Ingest(options) => run_ingest(options).await,
        Command::Deliver(options) => run_deliver(options).await,
    }
}

/// Runs `bench ingest` and prints its table.
async fn run_ingest(options: IngestOptions) -> ExitCode {
    let connections = options.connections;
    let batch = match options.single {
        true => "1 (structured)".to_owned(),
        false => options.batch.to_string(),
    };
    match ingest::ingest(options).await {
        Ok(r) => {
            let secs = r.elapsed.as_secs_f64();
            println!("| connections | batch | events/s | requests/s | p50 ms | p99 ms | errors |");
            println!("|---|---|---|---|---|---|---|");
            println!(
                "| {connections} | {batch} | {:.0} | {:.0} | {:.2} | {:.2} | {} |",
                r.events as f64 / secs,
                r.requests as f64 / secs,
                r.p50.as_secs_f64() * 1000.0,
                r.p99.as_secs_f64() * 1000.0,
                r.errors
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench ingest: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `bench deliver` and prints its table.
async fn run_deliver(options: DeliverOptions) -> ExitCode {
    let (subscriptions, endpoints, rate) = (options.subscriptions, options.endpoints, options.rate);
    match deliver::deliver(options).await {
        Ok(r) => {
            println!(
                "| subscriptions | endpoints | deliveries | seconds | deliveries/s | latency at {rate} events/s: deliveries | p50 ms | p99 ms |"
            );
            println!("|---|---|---|---|---|---|---|---|");
            println!(
                "| {subscriptions} | {endpoints} | {} | {:.2} | {:.0} | {} | {:.2} | {:.2} |",
                r.deliveries,
                r.elapsed.as_secs_f64(),
                r.deliveries as f64 / r.elapsed.as_secs_f64(),
                r.latency_deliveries,
                r.p50.as_secs_f64() * 1000.0,
                r.p99.as_secs_f64() * 1000.0
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench deliver: {e}");
            ExitCode::FAILURE
        }
    }
}
