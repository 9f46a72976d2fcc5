//! Clients that open connections and hold them: half-sent headers, bodies that stop or trickle,
//! idle keep-alive connections, more connections than the server has file descriptors, a
//! `Content-Length` over the publish limit, and SIGTERM while such requests are held. Also the
//! permissions of the data directory the server writes keys and secrets to.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use local::Options;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const OPERATOR: &str = "pek_hostile-operator-key-0123456789abcdef0123456789abcdef0";
const PUBLISH: &str = "/partnerNamespaces/contoso/api/events";

/// A server in this process on a fresh data directory, stopped when dropped.
struct Server {
    addr: SocketAddr,
    dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Server {
    async fn start(configure: impl FnOnce(&mut Options)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        Self::start_in(dir, configure).await
    }

    async fn start_in(dir: tempfile::TempDir, configure: impl FnOnce(&mut Options)) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut options = Options::new(dir.path().join("data"), format!("http://{addr}"));
        options.operator_key = Some(OPERATOR.into());
        configure(&mut options);
        let (key, _) = local::operator_key(&options).unwrap();
        let app = local::open(&options, &key).await.unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(local::serve(listener, app, options, async {
            let _ = stopped.await;
        }));
        let server = Self {
            addr,
            dir,
            stop: Some(stop),
            task: Some(task),
        };
        server.healthz(Duration::from_secs(10)).await;
        server
    }

    fn data(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    /// Asks `/healthz` on a new connection; panics unless it answers 200 within `within`.
    async fn healthz(&self, within: Duration) -> Duration {
        let started = Instant::now();
        let client = reqwest::Client::new();
        let response = tokio::time::timeout(
            within,
            client.get(format!("http://{}/healthz", self.addr)).send(),
        )
        .await
        .unwrap_or_else(|_| panic!("/healthz did not answer within {within:?}"))
        .unwrap();
        assert_eq!(response.status(), 200);
        started.elapsed()
    }

    async fn stop(mut self) -> tempfile::TempDir {
        let _ = self.stop.take().unwrap().send(());
        self.task.take().unwrap().await.unwrap().unwrap();
        std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// A connection that sent the start of a request's headers and nothing more.
async fn half_sent_headers(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        .await
        .unwrap();
    stream
}

/// A connection that sent a publish request's headers declaring `length` bytes of body, and
/// the first few bytes of the body.
async fn half_sent_body(addr: SocketAddr, length: usize) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {PUBLISH} HTTP/1.1\r\nHost: localhost\r\naeg-sas-key: key\r\n\
         Content-Type: application/cloudevents-batch+json; charset=utf-8\r\n\
         Content-Length: {length}\r\n\r\n[{{\"id\":"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}

/// What the server sent before it closed the connection, or `None` if it is still open after
/// `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut received = Vec::new();
    let read = tokio::time::timeout(within, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    read.ok()
        .map(|()| String::from_utf8_lossy(&received).into_owned())
}

#[tokio::test]
async fn healthz_answers_while_hundreds_of_connections_hold_half_sent_requests_and_each_is_closed_after_its_timeout()
 {
    let timeout = Duration::from_secs(4);
    let server = Server::start(|o| {
        o.header_timeout = timeout;
        o.body_timeout = timeout;
        o.workers = false;
    })
    .await;
    let opened = Instant::now();
    let mut headers = Vec::new();
    for _ in 0..200 {
        headers.push(half_sent_headers(server.addr).await);
    }
    let mut bodies = Vec::new();
    for _ in 0..100 {
        bodies.push(half_sent_body(server.addr, 10_000).await);
    }
    for _ in 0..3 {
        server.healthz(Duration::from_secs(2)).await;
    }
    assert!(
        opened.elapsed() < timeout,
        "the half-sent requests were still held while /healthz answered"
    );

    let deadline = timeout + Duration::from_secs(5);
    let closing = headers
        .iter_mut()
        .chain(bodies.iter_mut())
        .map(|stream| closed_within(stream, deadline.saturating_sub(opened.elapsed())));
    let answers = futures_util::future::join_all(closing).await;
    let open = answers.iter().filter(|a| a.is_none()).count();
    assert_eq!(
        open, 0,
        "{open} of 300 half-sent requests still open {deadline:?} after they were opened"
    );
    for answer in &answers[200..] {
        let answer = answer.as_deref().unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 408") && answer.contains("\"RequestTimeout\""),
            "a body that stopped arriving is answered 408: {answer}"
        );
    }
}

#[tokio::test]
async fn past_the_connection_cap_a_new_connection_closes_the_oldest_half_sent_one() {
    let server = Server::start(|o| {
        o.max_connections = 20;
        o.header_timeout = Duration::from_secs(30);
        o.workers = false;
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..60 {
        held.push(half_sent_headers(server.addr).await);
    }
    let took = server.healthz(Duration::from_secs(2)).await;
    assert!(
        took < Duration::from_secs(2),
        "/healthz waited {took:?} at the cap"
    );
    let closing = held
        .iter_mut()
        .map(|stream| closed_within(stream, Duration::from_secs(2)));
    let closed = futures_util::future::join_all(closing)
        .await
        .iter()
        .filter(|a| a.is_some())
        .count();
    assert!(
        closed >= 41,
        "only {closed} of 60 half-sent connections were closed to stay at 20"
    );
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_header_timeout() {
    let timeout = Duration::from_secs(1);
    let server = Server::start(|o| {
        o.header_timeout = timeout;
        o.workers = false;
    })
    .await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = stream.read(&mut buf).await.unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        closed_within(&mut stream, timeout + Duration::from_secs(3))
            .await
            .is_some(),
        "the idle connection is still open"
    );
}

#[tokio::test]
async fn a_body_that_trickles_is_answered_408_after_the_body_timeout() {
    let timeout = Duration::from_secs(1);
    let server = Server::start(|o| {
        o.body_timeout = timeout;
        o.workers = false;
    })
    .await;
    let mut stream = half_sent_body(server.addr, 10_000).await;
    let started = Instant::now();
    let (mut read, mut write) = stream.split();
    let trickle = async {
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if write.write_all(b" ").await.is_err() {
                return;
            }
        }
    };
    let answer = async {
        let mut received = Vec::new();
        let _ = tokio::time::timeout(timeout + Duration::from_secs(4), async {
            let mut buf = [0u8; 4096];
            while let Ok(n) = read.read(&mut buf).await
                && n > 0
            {
                received.extend_from_slice(&buf[..n]);
            }
        })
        .await;
        String::from_utf8_lossy(&received).into_owned()
    };
    let answer = tokio::select! {
        answer = answer => answer,
        () = trickle => String::new(),
    };
    assert!(
        answer.starts_with("HTTP/1.1 408") && answer.contains("\"RequestTimeout\""),
        "after {:?}: {answer}",
        started.elapsed()
    );
    assert!(started.elapsed() < timeout + Duration::from_secs(4));
}

#[tokio::test]
async fn a_content_length_over_the_publish_limit_is_refused_before_the_body_arrives() {
    let server = Server::start(|o| o.workers = false).await;
    for path in [PUBLISH, "/topics/orders/api/events"] {
        let mut stream = TcpStream::connect(server.addr).await.unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: localhost\r\naeg-sas-key: key\r\n\
             Content-Type: application/cloudevents-batch+json; charset=utf-8\r\n\
             Content-Length: 100000000\r\n\r\n[{{\"id\":"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let mut buf = [0u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(2), stream.read(&mut buf))
            .await
            .unwrap_or_else(|_| panic!("{path}: no answer while the body is awaited"))
            .unwrap();
        let answer = String::from_utf8_lossy(&buf[..n]);
        assert!(answer.starts_with("HTTP/1.1 413"), "{path}: {answer}");
        let body = &answer[answer.find("\r\n\r\n").unwrap() + 4..];
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(body["error"]["code"], "RequestTooLarge", "{path}: {body}");
    }
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn assert_private(dir: &Path) {
    assert_eq!(mode(dir), 0o700, "{dir:?}");
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{path:?}");
        files += 1;
    }
    assert!(files >= 6, "the store, four queues and the operator key");
}

#[tokio::test]
async fn the_data_directory_is_private_to_its_owner_and_so_is_every_file_in_it() {
    let server = Server::start(|o| o.operator_key = None).await;
    assert_private(&server.data());
}

#[tokio::test]
async fn an_existing_data_directory_and_its_files_are_made_private_on_start() {
    let server = Server::start(|o| o.operator_key = None).await;
    let data = server.data();
    let dir = server.stop().await;
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let server = Server::start_in(dir, |o| o.operator_key = None).await;
    assert_private(&server.data());
}

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
