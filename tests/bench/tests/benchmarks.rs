//! The benchmark commands, run briefly as docs/benchmarks.md runs them, with the server in a
//! child process: they measure something, and every delivery arrives.
//!
//! `--server-process` runs the `partner-events` binary beside `bench`: `cargo nextest run
//! --workspace` (or `-p local -p bench`) builds both into the same target directory, while a
//! package's own tests build only its own binaries, so `-p bench` alone needs it built before.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

const BINARY: &str = env!("CARGO_BIN_EXE_bench");

/// Fails with what to build when `partner-events` is not beside `bench`.
fn assert_server_binary_beside_bench() {
    let server =
        Path::new(BINARY).with_file_name(format!("partner-events{}", std::env::consts::EXE_SUFFIX));
    assert!(
        server.is_file(),
        "{} is missing: --server-process runs it; build it first (cargo build -p local -p bench, \
         or run the tests with cargo nextest run -p local -p bench, or --workspace)",
        server.display()
    );
}

/// The cells of the last row of the table `args` prints.
fn last_row(args: &[&str]) -> Vec<String> {
    assert_server_binary_beside_bench();
    let output = Command::new(BINARY)
        .args(args)
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{args:?}: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let row = stdout.lines().last().unwrap();
    row.trim_matches('|')
        .split('|')
        .map(|cell| cell.trim().to_owned())
        .collect()
}

#[test]
fn bench_ingest_publishes_single_events_to_a_server_in_another_process_without_errors() {
    let row = last_row(&[
        "ingest",
        "--single",
        "--connections",
        "4",
        "--seconds",
        "1",
        "--server-process",
    ]);
    let events: f64 = row[2].parse().unwrap();
    assert!(events > 0.0, "{row:?}");
    assert_eq!(row[6], "0", "errors: {row:?}");
}

#[test]
fn bench_deliver_gets_every_delivery_from_a_server_in_another_process() {
    let row = last_row(&[
        "deliver",
        "--subscriptions",
        "3",
        "--endpoints",
        "2",
        "--events",
        "200",
        "--batch",
        "20",
        "--rate",
        "50",
        "--seconds",
        "1",
        "--server-process",
    ]);
    assert_eq!(row[2], "600", "deliveries: {row:?}");
    let latency_deliveries: u64 = row[5].parse().unwrap();
    assert!(
        latency_deliveries >= 3 * 40 && latency_deliveries.is_multiple_of(3),
        "{row:?}"
    );
}
