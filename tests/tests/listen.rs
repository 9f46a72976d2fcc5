//! `partner-events listen` as a newcomer uses it: subscribed like any webhook (it passes the
//! handshake), it prints each delivery's headers and events, checks signatures with the
//! subscription's secret (refusing a wrong one, so the event is dead-lettered), and fails
//! deliveries on request so retries show.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use e2e::{Answer, Server, active_topic_on, order_event};
use local::receiver::{ListenOptions, Output};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// What a listener printed, shared with the test.
#[derive(Clone, Default)]
struct Printed(Arc<Mutex<Vec<u8>>>);

impl Printed {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    /// Waits (up to 10 s) until the output holds `needle`; the output.
    async fn wait_for(&self, needle: &str) -> String {
        for _ in 0..200 {
            let text = self.text();
            if text.contains(needle) {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the listener never printed {needle:?}; it printed:\n{}",
            self.text()
        );
    }
}

impl std::io::Write for Printed {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A listener on 127.0.0.1:0 with these options; its URL and what it prints.
async fn listen(
    signing_secret: Option<String>,
    fail_rate: f64,
    status: Option<u16>,
) -> (String, Printed) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let options = ListenOptions {
        listen: listener.local_addr().unwrap(),
        signing_secret,
        fail_rate,
        status,
    };
    let printed = Printed::default();
    let out: Output = Arc::new(Mutex::new(printed.clone()));
    tokio::spawn(local::receiver::serve(
        listener,
        options,
        out,
        std::future::pending(),
    ));
    (url, printed)
}

fn hook(url: &str, signed: bool) -> Value {
    let mut properties = json!({"endpointUrl": url});
    if signed {
        properties["payloadSigning"] = json!({"scheme": "StandardWebhooks"});
    }
    json!({"destination": {"endpointType": "WebHook", "properties": properties}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listener_passes_the_handshake_and_prints_each_delivery_with_its_headers_and_events() {
    let (_server, topic, _) = active_topic_on(Server::builder()).await;
    let (url, printed) = listen(None, 0.0, None).await;
    topic.subscribe("printed", hook(&url, false)).await;
    assert!(
        printed
            .text()
            .contains("handshake from eventgrid.azure.net: allowed")
    );
    topic
        .publish(&json!([order_event(
            "tour-1",
            "Order.Created",
            json!({"total": 42})
        )]))
        .await;
    let text = printed.wait_for("<-- 200 OK").await;
    for expected in [
        "--> POST / (delivery count 0)",
        "    aeg-subscription-name: printed",
        "    aeg-delivery-count: 0",
        "    aeg-event-type: Notification",
        "    content-type: application/cloudevents+json; charset=utf-8",
        "  \"id\": \"tour-1\",",
        "    \"total\": 42",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listener_checks_signatures_and_a_wrong_secret_dead_letters_the_event() {
    let (_server, topic, _) = active_topic_on(Server::builder()).await;
    let (first_url, _) = listen(None, 0.0, None).await;
    let sub = topic.subscribe("signed", hook(&first_url, true)).await;
    let secrets = topic
        .owner
        .action(&sub, "getSigningSecrets")
        .await
        .expect_status(StatusCode::OK);
    let secret = secrets["current"].as_str().unwrap().to_owned();
    let (right_url, right) = listen(Some(secret), 0.0, None).await;
    topic
        .owner
        .put(&sub, json!({"properties": hook(&right_url, true)}))
        .await
        .expect_status(StatusCode::OK);
    let other_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_owned();
    let (wrong_url, wrong) = listen(Some(other_secret), 0.0, None).await;
    let wrong_sub = topic.subscribe("wrong", hook(&wrong_url, true)).await;
    topic.publish_one("signed-1").await;
    let text = right.wait_for("<-- 200 OK").await;
    assert!(text.contains("    signature: valid"), "{text}");
    let text = wrong.wait_for("<-- 401 Unauthorized").await;
    let refusal = "signature: NOT VALID (no webhook-signature is this secret's)";
    assert!(text.contains(refusal), "{text}");
    let dead = topic.wait_for_dead_letters(&wrong_sub, 1).await;
    assert_eq!(dead[0]["lasthttpstatuscode"], 401, "{dead:?}");
}

#[tokio::test]
async fn the_listener_answers_every_delivery_with_the_status_it_is_told_and_a_fail_rate_of_one_fails_each()
 {
    let client = reqwest::Client::new();
    for (fail_rate, status, expected) in [
        (0.0, None, 200),
        (0.0, Some(410), 410),
        (1.0, None, 503),
        (1.0, Some(500), 500),
    ] {
        let (url, printed) = listen(None, fail_rate, status).await;
        for _ in 0..3 {
            let answer = client.post(&url).body("[]").send().await.unwrap();
            assert_eq!(answer.status().as_u16(), expected, "{fail_rate} {status:?}");
        }
        assert_eq!(printed.text().matches("<-- ").count(), 3);
    }
}

#[tokio::test]
async fn a_fail_rate_fails_about_that_share_of_deliveries() {
    let client = reqwest::Client::new();
    let (url, _) = listen(None, 0.3, None).await;
    let mut failed = 0;
    for _ in 0..400 {
        let answer = client.post(&url).body("{}").send().await.unwrap();
        if answer.status() == StatusCode::SERVICE_UNAVAILABLE {
            failed += 1;
        }
    }
    assert!(
        (60..=180).contains(&failed),
        "{failed} of 400 failed at 0.3"
    );
}
