//! The README's tour, run as written: the real `partner-events serve` on a fresh data
//! directory, `partner-events listen` twice (the second failing every delivery with 503), and
//! the tour's shell blocks (curl and jq) with only their ports moved to free ones. The first
//! listener prints the event delivered, the second a retry.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_partner-events");

/// A process of the tour, killed when dropped, whose output is kept.
struct Process {
    child: Child,
    output: Arc<Mutex<String>>,
}

impl Process {
    fn spawn(dir: &Path, args: &[&str]) -> Self {
        let mut child = Command::new(BINARY)
            .args(args)
            .current_dir(dir)
            .env("RUST_LOG", "error")
            .env_remove("PARTNER_EVENTS_OPERATOR_KEY")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let output = Arc::new(Mutex::new(String::new()));
        let mut stdout = child.stdout.take().unwrap();
        let kept = output.clone();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                kept.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        Self { child, output }
    }

    /// Waits up to `limit` for the output to hold every one of `needles`; the output.
    fn wait_for(&self, needles: &[&str], limit: Duration) -> String {
        let start = Instant::now();
        loop {
            let output = self.output.lock().unwrap().clone();
            if needles.iter().all(|n| output.contains(n)) {
                return output;
            }
            assert!(
                start.elapsed() < limit,
                "waited for {needles:?}; the output is:\n{output}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_address() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

/// The tour's shell blocks, but those that start processes (`cargo run`), joined.
fn tour() -> String {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .unwrap();
    let section = &readme[readme.find("\n## A tour").expect("the tour")..];
    let section = &section[..section[1..].find("\n## ").unwrap()];
    section
        .split("```sh\n")
        .skip(1)
        .map(|block| &block[..block.find("```").unwrap()])
        .filter(|block| !block.contains("cargo run"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn ready(address: &str) {
    for _ in 0..200 {
        if std::net::TcpStream::connect(address).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("nothing listens on {address}");
}

#[test]
fn the_readme_tour_runs_as_written_and_ends_with_the_event_printed_then_a_retry() {
    let dir = tempfile::tempdir().unwrap();
    let (server, hook, failing) = (free_address(), free_address(), free_address());
    let _server = Process::spawn(
        dir.path(),
        &["serve", "--listen", &server, "--allow-private-webhooks"],
    );
    let printed = Process::spawn(dir.path(), &["listen", "--listen", &hook]);
    let retried = Process::spawn(
        dir.path(),
        &["listen", "--listen", &failing, "--status", "503"],
    );
    for address in [&server, &hook, &failing] {
        ready(address);
    }
    let script = tour()
        .replace("127.0.0.1:8080", &server)
        .replace("127.0.0.1:9000", &hook)
        .replace("127.0.0.1:9001", &failing);
    let run = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "the tour failed:\n{said}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        !said.contains("\"error\""),
        "a step of the tour failed:\n{said}"
    );
    printed.wait_for(
        &[
            "handshake from eventgrid.azure.net: allowed",
            "aeg-subscription-name: orders-hook",
            "\"id\": \"1\"",
            "<-- 200 OK",
        ],
        Duration::from_secs(10),
    );
    let output = retried.wait_for(
        &["(delivery count 0)", "(delivery count 1)"],
        Duration::from_secs(40),
    );
    assert!(output.contains("<-- 503 Service Unavailable"), "{output}");
    assert!(!printed.output.lock().unwrap().contains("\"id\": \"2\""));
}
