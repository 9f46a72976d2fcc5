//! The real `partner-events` process: more half-sent requests than it has file descriptors,
//! and SIGTERM while requests are half sent.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{OPERATOR, half_sent_body, half_sent_headers};

/// The `partner-events` process; killed (SIGKILL) and reaped when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `partner-events serve` on `addr` with `flags`, under an open-file limit of
/// `max_files` if given, and waits until `/healthz` answers.
async fn spawn_binary(
    dir: &Path,
    addr: SocketAddr,
    max_files: Option<u32>,
    flags: &[&str],
) -> Process {
    let limit = max_files.map_or_else(String::new, |n| format!("ulimit -n {n} && "));
    let process = Process(
        Command::new("sh")
            .arg("-c")
            .arg(format!("{limit}exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_partner-events"))
            .args(["serve", "--listen", &addr.to_string(), "--data-dir"])
            .arg(dir)
            .args(flags)
            .env("PARTNER_EVENTS_OPERATOR_KEY", OPERATOR)
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(r) = client.get(format!("http://{addr}/healthz")).send().await
            && r.status().is_success()
        {
            return process;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not become ready");
}

#[tokio::test]
async fn healthz_answers_while_more_half_sent_requests_are_held_than_the_server_has_file_descriptors()
 {
    let dir = tempfile::tempdir().unwrap();
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let _server = spawn_binary(dir.path(), addr, Some(256), &["--max-connections", "100"]).await;
    let mut held = Vec::new();
    for _ in 0..400 {
        let opened = tokio::time::timeout(Duration::from_secs(2), half_sent_headers(addr)).await;
        held.push(opened.expect("the server accepts connections"));
    }
    let client = reqwest::Client::new();
    for _ in 0..3 {
        let response = tokio::time::timeout(
            Duration::from_secs(2),
            client.get(format!("http://{addr}/healthz")).send(),
        )
        .await
        .expect("/healthz answers with 400 half-sent requests held")
        .unwrap();
        assert_eq!(response.status(), 200);
    }
}

#[tokio::test]
async fn sigterm_while_requests_are_half_sent_exits_0_within_the_drain_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let mut server = spawn_binary(
        dir.path(),
        addr,
        None,
        &["--drain-timeout", "1", "--header-timeout", "60"],
    )
    .await;
    let mut held = Vec::new();
    for _ in 0..20 {
        held.push(half_sent_headers(addr).await);
        held.push(half_sent_body(addr, 10_000).await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let signalled = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &server.0.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(6),
            "still running 6 s after SIGTERM with a 1 s drain timeout"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status}");
}
