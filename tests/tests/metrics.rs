//! `GET /metrics` over HTTP, read by the reference Prometheus parser: counts that match what
//! was published, refused, delivered and dead-lettered, histograms whose counts match the
//! attempts and deliveries, queue gauges, the process's own gauges, the operator key only, and
//! no label naming a subscription. nextest runs each test in its own process, so the counts
//! start at zero.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use e2e::prometheus::Scrape;
use e2e::receiver::Plan;
use e2e::{ActiveTopic, OPERATOR_KEY, Server, active_topic_on, order_event};
use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::metrics as m;
use shared::ports::ManualClock;
use time::{Duration, OffsetDateTime};

async fn scrape_with(server: &Server, key: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(format!("{}/metrics", server.base));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    request.send().await.unwrap()
}

async fn scrape(server: &Server) -> Scrape {
    let answer = scrape_with(server, Some(OPERATOR_KEY)).await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(
        answer.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4"),
        "the Prometheus text format"
    );
    Scrape::parse(&answer.text().await.unwrap())
}

/// Scrapes until `done` holds of a scrape (up to 10 s); that scrape.
async fn scrape_until(server: &Server, done: impl Fn(&Scrape) -> bool) -> Scrape {
    for _ in 0..100 {
        let got = scrape(server).await;
        if done(&got) {
            return got;
        }
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    panic!(
        "the scrape never showed what was expected: {:?}",
        scrape(server).await
    );
}

fn events(ids: &[&str]) -> Value {
    Value::Array(
        ids.iter()
            .map(|id| order_event(id, "Order.Created", json!({})))
            .collect(),
    )
}

async fn refused(topic: &ActiveTopic, key: &str, events: &Value) -> String {
    let (status, body) = topic.publish_with(key, events).await;
    assert!(status.is_client_error(), "{status} {body}");
    body["error"]["code"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_what_was_published_refused_delivered_and_dead_lettered() {
    let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
    let (server, topic, hooks) = active_topic_on(Server::builder().clock(clock.clone())).await;
    hooks.plan("accepts", Plan::Ok);
    hooks.plan("rejects", Plan::Always(400));
    hooks.plan("fails", Plan::Always(500));
    for name in ["accepts", "rejects", "fails"] {
        topic.subscribe_receiver(&hooks, name).await;
    }

    topic.publish(&events(&["e1", "e2", "e3"])).await;
    topic.publish(&events(&["e4", "e5"])).await;
    let unauthorized = refused(&topic, "not-the-key", &events(&["x1"])).await;
    assert_eq!(
        refused(&topic, "still-not-it", &events(&["x2"])).await,
        unauthorized
    );
    let invalid = refused(&topic, &topic.key, &json!([{"specversion": "1.0"}])).await;

    hooks.wait_for("accepts", 5).await;
    hooks.wait_for("fails", 5).await;
    let rejects = topic.subscription("rejects");
    topic.wait_for_dead_letters(&rejects, 5).await;
    let got = scrape_until(&server, |s| {
        s.value(m::DELIVERIES, &[("outcome", "Aborted")]) >= 5.0
            && s.value(m::DELIVERIES, &[("outcome", "Delivered")]) >= 5.0
            && s.value(
                m::DEAD_LETTERS,
                &[("reason", "UndeliverableDueToHttpBadRequest")],
            ) >= 5.0
    })
    .await;

    assert_eq!(got.value(m::EVENTS_PUBLISHED, &[]), 5.0);
    assert_eq!(
        got.value(m::PUBLISH_REFUSED, &[("code", &unauthorized)]),
        2.0
    );
    assert_eq!(got.value(m::PUBLISH_REFUSED, &[("code", &invalid)]), 1.0);
    assert_eq!(got.value(m::DELIVERIES, &[("outcome", "Delivered")]), 5.0);
    assert_eq!(got.value(m::DELIVERIES, &[("outcome", "BadRequest")]), 5.0);
    assert_eq!(got.value(m::DELIVERIES, &[("outcome", "Aborted")]), 5.0);
    assert_eq!(
        got.value(
            m::DEAD_LETTERS,
            &[("reason", "UndeliverableDueToHttpBadRequest")]
        ),
        5.0
    );
    assert_eq!(
        got.value(m::ATTEMPTS, &[]),
        15.0,
        "one request per event and subscription"
    );
    let count = |name: &str| got.value(&format!("{name}_count"), &[]);
    assert_eq!(count(m::ATTEMPT_DURATION), 15.0);
    assert_eq!(count(m::DELIVERY_LATENCY), 5.0, "one per delivered batch");
    let infinite = got.value(
        &format!("{}_bucket", m::DELIVERY_LATENCY),
        &[("le", "+Inf")],
    );
    assert_eq!(infinite, 5.0);
    assert_eq!(
        got.value(
            &format!("{}_bucket", m::DELIVERY_LATENCY),
            &[("le", "0.001")]
        ),
        5.0,
        "the manual clock stood still between publish and delivery"
    );
    assert_eq!(
        got.value(m::QUEUE_MESSAGES, &[("queue", "delivery")]),
        5.0,
        "the failed batches wait for their retry"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_gauges_show_the_messages_waiting_and_how_long_the_oldest_has_been_due() {
    let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
    let (server, topic, hooks) =
        active_topic_on(Server::builder().clock(clock.clone()).paused()).await;
    topic.subscribe_receiver(&hooks, "accepts").await;
    server.fan_out().await;
    topic.publish(&events(&["e1"])).await;
    topic.publish(&events(&["e2"])).await;
    clock.advance(Duration::seconds(7));

    let got = scrape(&server).await;
    assert_eq!(got.value(m::QUEUE_MESSAGES, &[("queue", "fanout")]), 2.0);
    assert_eq!(got.value(m::QUEUE_OLDEST_AGE, &[("queue", "fanout")]), 7.0);
    assert_eq!(got.value(m::QUEUE_MESSAGES, &[("queue", "delivery")]), 0.0);
    assert_eq!(
        got.value(m::QUEUE_OLDEST_AGE, &[("queue", "delivery")]),
        0.0
    );

    server.fan_out().await;
    let got = scrape(&server).await;
    assert_eq!(got.value(m::QUEUE_MESSAGES, &[("queue", "fanout")]), 0.0);
    assert_eq!(got.value(m::QUEUE_OLDEST_AGE, &[("queue", "fanout")]), 0.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_process_reports_its_memory_cpu_open_files_and_start_time() {
    let server = Server::start().await;
    let got = scrape(&server).await;
    for name in [
        "process_resident_memory_bytes",
        "process_open_fds",
        "process_start_time_seconds",
    ] {
        assert!(got.value(name, &[]) > 0.0, "{name}: {:?}", got.named(name));
    }
    assert_eq!(got.named("process_cpu_seconds_total").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_for_the_operator_key_only() {
    let server = Server::start().await;
    let (principal, _) = server.tenant("contoso").await;
    for (key, status) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some("not-a-key"), StatusCode::UNAUTHORIZED),
        (Some(principal.key()), StatusCode::FORBIDDEN),
    ] {
        let answer = scrape_with(&server, key).await;
        assert_eq!(answer.status(), status, "{key:?}");
        let body: Value = answer.json().await.unwrap();
        assert!(body["error"]["code"].is_string(), "{body}");
    }
    assert_eq!(
        scrape_with(&server, Some(OPERATOR_KEY)).await.status(),
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_label_names_an_event_a_subscription_or_a_topic() {
    let (server, topic, hooks) = active_topic_on(Server::builder()).await;
    hooks.plan("fails", Plan::Always(400));
    topic.subscribe_receiver(&hooks, "accepts").await;
    let fails = topic.subscribe_receiver(&hooks, "fails").await;
    topic.publish(&events(&["e1", "e2"])).await;
    hooks.wait_for("accepts", 2).await;
    topic.wait_for_dead_letters(&fails, 2).await;

    let got = scrape_until(&server, |s| {
        s.value(
            m::DEAD_LETTERS,
            &[("reason", "UndeliverableDueToHttpBadRequest")],
        ) >= 2.0
    })
    .await;
    let bounded = ["outcome", "reason", "code", "queue", "le"];
    let bounded_values: Vec<&str> = m::OUTCOMES
        .iter()
        .chain(m::REASONS.iter())
        .copied()
        .chain(["fanout", "delivery"])
        .collect();
    for sample in &got.0 {
        for (label, value) in &sample.labels {
            assert!(bounded.contains(&label.as_str()), "{sample:?}");
            assert!(
                !value.contains("eventSubscriptions")
                    && !value.contains("orders")
                    && !["accepts", "fails", "e1", "e2"].contains(&value.as_str()),
                "{sample:?}"
            );
            if label == "outcome" || label == "reason" || label == "queue" {
                assert!(bounded_values.contains(&value.as_str()), "{sample:?}");
            }
        }
    }
    assert!(got.0.iter().any(|s| s.kind == "histogram"));
}
