//! Clients that open connections and hold them: half-sent headers, bodies that stop or trickle,
//! idle keep-alive connections, more connections than the server has file descriptors, a
//! `Content-Length` over the publish limit, and SIGTERM while such requests are held. Also the
//! permissions of the data directory the server writes keys and secrets to.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod binary;
mod data_dir;
mod server;
mod timeouts;

use std::net::SocketAddr;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

const OPERATOR: &str = "pek_hostile-operator-key-0123456789abcdef0123456789abcdef0";
const PUBLISH: &str = "/partnerNamespaces/contoso/api/events";

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
