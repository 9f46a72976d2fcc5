//! Connections held open in the in-process server: half-sent headers and bodies, trickling
//! bodies, idle keep-alive connections, the connection cap, and a `Content-Length` over the
//! publish limit.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::server::Server;
use crate::{PUBLISH, half_sent_body, half_sent_headers};

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
