//! The validation handshake against an endpoint that accepts the connection and never answers:
//! it gives up after the handshake timeout and reports the endpoint as refused (a 400
//! `WebhookValidationFailed` for the PUT), never outlasting the request that runs it.

use std::time::{Duration, Instant};

use infra::webhook::{AllowedNetworks, HttpWebhooks};
use shared::ports::{Handshake, Webhooks};

#[tokio::test]
async fn a_silent_endpoint_is_refused_once_the_handshake_timeout_runs_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let held = tokio::spawn(async move {
        let mut connections = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            connections.push(socket);
        }
    });
    let webhooks = HttpWebhooks::new(AllowedNetworks::all())
        .unwrap()
        .with_handshake_timeout(Duration::from_millis(300));
    let started = Instant::now();
    let answer = tokio::time::timeout(Duration::from_secs(5), webhooks.handshake(&url))
        .await
        .expect("the handshake gives up on its own")
        .unwrap();
    assert!(
        matches!(&answer, Handshake::Refused(why) if why.contains("did not answer within 300ms")),
        "{answer:?}"
    );
    assert!(started.elapsed() >= Duration::from_millis(300));
    held.abort();
}
