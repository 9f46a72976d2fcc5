//! `bench deliver`'s webhook receiver: keep-alive HTTP/1.1 connections that parse each request
//! head with `httparse`, read its `Content-Length` body, and answer a fixed 200 (with
//! `WebHook-Allowed-Origin`, for the handshake), as an nginx `return 200` would. It costs the
//! machine's two cores little, so the benchmark measures the server, not the receiver.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::failure::Failure;

const ANSWER: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nwebhook-allowed-origin: *\r\n\r\n";
/// The largest request head or body it reads.
const MAX_REQUEST: usize = 1 << 20;

/// What arrived: every request, and the publish-to-receive time of each latency event.
pub struct Received {
    /// Requests received (handshakes included).
    pub count: AtomicU64,
    /// Publish-to-receive time of each latency event, in µs.
    pub latencies: std::sync::Mutex<Vec<u64>>,
}

/// Microseconds since the Unix epoch, as latency events carry it in `sentAt`.
pub fn now_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

/// The receiver, listening on `endpoints` loopback addresses (127.0.0.1, 127.0.0.2, ...); the
/// base URL of each.
pub async fn start(endpoints: usize) -> Result<(Vec<String>, Arc<Received>), Failure> {
    let state = Arc::new(Received {
        count: AtomicU64::new(0),
        latencies: std::sync::Mutex::new(Vec::new()),
    });
    let mut bases = Vec::new();
    for n in 1..=endpoints.clamp(1, 254) {
        let listener = tokio::net::TcpListener::bind(format!("127.0.0.{n}:0")).await?;
        bases.push(format!("http://{}", listener.local_addr()?));
        tokio::spawn(accept(listener, state.clone()));
    }
    Ok((bases, state))
}

async fn accept(listener: tokio::net::TcpListener, state: Arc<Received>) {
    while let Ok((stream, _)) = listener.accept().await {
        let _ = stream.set_nodelay(true);
        tokio::spawn(serve(stream, state.clone()));
    }
}

/// Answers the requests of one connection until it closes or sends something unreadable.
async fn serve(mut stream: tokio::net::TcpStream, state: Arc<Received>) -> Result<(), Failure> {
    let mut buffer = Vec::with_capacity(16 * 1024);
    let mut answers = Vec::new();
    loop {
        let mut start = 0;
        while let Some(length) = request_length(&buffer[start..])? {
            let body_and_head = &buffer[start..start + length];
            state.count.fetch_add(1, Ordering::Relaxed);
            if let Some(at) = sent_at(body_and_head) {
                let mut latencies = state.latencies.lock().unwrap_or_else(|e| e.into_inner());
                latencies.push(now_micros().saturating_sub(at));
            }
            answers.extend_from_slice(ANSWER);
            start += length;
        }
        buffer.drain(..start);
        if !answers.is_empty() {
            stream.write_all(&answers).await?;
            answers.clear();
        }
        if buffer.len() > MAX_REQUEST {
            return Err("request too large".into());
        }
        buffer.reserve(16 * 1024);
        if stream.read_buf(&mut buffer).await? == 0 {
            return Ok(());
        }
    }
}

/// The length of the first request in `bytes`, head and body, once all of it is there.
fn request_length(bytes: &[u8]) -> Result<Option<usize>, Failure> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut request = httparse::Request::new(&mut headers);
    let httparse::Status::Complete(head) = request.parse(bytes)? else {
        return Ok(None);
    };
    if request
        .headers
        .iter()
        .any(|h| h.name.eq_ignore_ascii_case("transfer-encoding"))
    {
        return Err("the receiver reads Content-Length bodies only".into());
    }
    let body = request
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
        .map(|h| std::str::from_utf8(h.value).map(|v| v.trim().parse::<usize>()))
        .transpose()?
        .transpose()?
        .unwrap_or(0);
    Ok((bytes.len() >= head + body).then_some(head + body))
}

/// The `sentAt` (µs) a latency event carries in its data.
fn sent_at(request: &[u8]) -> Option<u64> {
    #[derive(serde::Deserialize)]
    struct Data {
        #[serde(rename = "sentAt")]
        sent_at: u64,
    }
    #[derive(serde::Deserialize)]
    struct Event {
        data: Data,
    }
    memchr::memmem::find(request, b"\"sentAt\"")?;
    let body = memchr::memmem::find(request, b"\r\n\r\n")? + 4;
    serde_json::from_slice::<Event>(&request[body..])
        .ok()
        .map(|e| e.data.sent_at)
}
