//! What a delivery puts on the wire: the request target without the URL's credentials or
//! fragment, the credentials as Basic authorization, the request's headers and body; and the
//! endpoint's answer read back.

use infra::webhook::{AllowedNetworks, HttpWebhooks};
use shared::ports::{Attempt, DeliveryRequest, Webhooks};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One connection's request as text, answered `answer`.
async fn capture(listener: tokio::net::TcpListener, answer: &'static str) -> String {
    let (mut socket, _) = listener.accept().await.unwrap();
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("\r\n\r\n{\"id\":\"1\"}") {
        let n = socket.read(&mut buffer).await.unwrap();
        assert!(n > 0, "the connection closed mid-request");
        seen.extend_from_slice(&buffer[..n]);
    }
    socket.write_all(answer.as_bytes()).await.unwrap();
    String::from_utf8_lossy(&seen).into_owned()
}

#[tokio::test]
async fn a_delivery_sends_the_urls_credentials_as_basic_authorization_and_reads_the_answer() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(capture(
        listener,
        "HTTP/1.1 503 Service Unavailable\r\nretry-after: 7\r\ncontent-length: 4\r\n\r\nbusy",
    ));
    let webhooks = HttpWebhooks::new(AllowedNetworks::all()).unwrap();
    let request = DeliveryRequest {
        url: format!("http://user:p%40ss@127.0.0.1:{port}/hook?code=a#part"),
        headers: vec![
            ("Content-Type".into(), "application/cloudevents+json".into()),
            ("aeg-delivery-count".into(), "0".into()),
        ],
        body: r#"{"id":"1"}"#.into(),
        start_by: None,
        answer_within: None,
    };
    let answer = webhooks.deliver(&request).await;
    let wire = server.await.unwrap().to_ascii_lowercase();
    assert!(wire.starts_with("post /hook?code=a http/1.1\r\n"), "{wire}");
    assert!(
        wire.contains("\r\nauthorization: basic dxnlcjpwqhnz\r\n"),
        "{wire}"
    );
    assert!(
        wire.contains("\r\ncontent-type: application/cloudevents+json\r\n"),
        "{wire}"
    );
    assert!(wire.contains("\r\naeg-delivery-count: 0\r\n"), "{wire}");
    assert!(
        wire.contains(&format!("\r\nhost: 127.0.0.1:{port}\r\n")),
        "{wire}"
    );
    assert!(!wire.contains("part"), "{wire}");
    assert_eq!(
        answer,
        Attempt::Answered {
            status: 503,
            retry_after: Some(std::time::Duration::from_secs(7)),
            body: Some("busy".into()),
        }
    );
}
