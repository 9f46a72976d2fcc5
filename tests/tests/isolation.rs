//! Tenants sharing one server: a hanging or slow endpoint costs only its own subscription's
//! capacity. Tenant B publishes single events to a fast receiver, first alone, then while
//! tenant A publishes twice as many to an endpoint that never answers (or answers after 20 s);
//! B's publish-to-delivery p99 stays within max(2 s, 3 × its p99 alone), and nothing of B's is
//! lost.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use e2e::receiver::{Plan, Receiver};
use e2e::{ActiveTopic, Server, order_event};
use serde_json::json;

/// Publishes one event per `every` to `topic` for `seconds`, each carrying its send time;
/// returns the ids sent.
async fn publish(
    topic: Arc<ActiveTopic>,
    prefix: &str,
    every: Duration,
    seconds: u64,
) -> Vec<String> {
    let mut ticks = tokio::time::interval(every);
    let count = (Duration::from_secs(seconds).as_millis() / every.as_millis()) as usize;
    let mut sent = Vec::with_capacity(count);
    for i in 0..count {
        ticks.tick().await;
        let id = format!("{prefix}-{i}");
        let at = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64;
        topic
            .publish(&json!([order_event(
                &id,
                "Order.Created",
                json!({"sentAt": at})
            )]))
            .await;
        sent.push(id);
    }
    sent
}

/// The p99 of the publish-to-delivery latency of `sent` at `hooks`' endpoint `name`, once
/// every one arrived (waiting up to 20 s after the last).
async fn p99(hooks: &Receiver, name: &str, sent: &[String]) -> Duration {
    let mut first: HashMap<String, Duration> = HashMap::new();
    for _ in 0..200 {
        first.clear();
        for delivery in hooks.deliveries(name) {
            for event in delivery.events() {
                let id = event["id"].as_str().unwrap().to_owned();
                let sent_at =
                    UNIX_EPOCH + Duration::from_millis(event["data"]["sentAt"].as_u64().unwrap());
                let took = delivery.at.duration_since(sent_at).unwrap_or_default();
                first.entry(id).or_insert(took);
            }
        }
        if sent.iter().all(|id| first.contains_key(id)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let missing: Vec<&String> = sent.iter().filter(|id| !first.contains_key(*id)).collect();
    assert!(
        missing.is_empty(),
        "{} of B's events never arrived, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    let mut latencies: Vec<Duration> = sent.iter().map(|id| first[id]).collect();
    latencies.sort();
    latencies[(latencies.len() * 99 / 100).min(latencies.len() - 1)]
}

/// B's p99 alone, then beside A answering by `a_plan`; asserts the bound and returns both.
async fn b_keeps_its_latency_beside(a_plan: Plan) {
    let server = Server::builder().start().await;
    let (a, b) = (
        Arc::new(ActiveTopic::new(&server).await),
        Arc::new(ActiveTopic::new(&server).await),
    );
    let (a_hooks, b_hooks) = (Receiver::start().await, Receiver::start().await);
    b.subscribe_receiver(&b_hooks, "tenant-b").await;
    let alone = publish(b.clone(), "alone", Duration::from_millis(50), 10).await;
    let alone = p99(&b_hooks, "tenant-b", &alone).await;

    a_hooks.plan("tenant-a", a_plan);
    a.subscribe_receiver(&a_hooks, "tenant-a").await;
    let flood = tokio::spawn(publish(a.clone(), "a", Duration::from_millis(25), 30));
    let beside = publish(b.clone(), "beside", Duration::from_millis(50), 30).await;
    let beside = p99(&b_hooks, "tenant-b", &beside).await;
    flood.await.unwrap();
    let bound = (alone * 3).max(Duration::from_secs(2));
    assert!(
        beside <= bound,
        "B's p99 was {beside:?} beside A, {alone:?} alone (bound {bound:?})"
    );
    assert!(
        !a_hooks.deliveries("tenant-a").is_empty(),
        "A's endpoint was tried"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_whose_endpoint_never_answers_does_not_slow_another_tenants_deliveries() {
    b_keeps_its_latency_beside(Plan::Slow(Duration::from_secs(3600))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_whose_endpoint_answers_after_twenty_seconds_does_not_slow_another_tenants_deliveries()
 {
    b_keeps_its_latency_beside(Plan::Slow(Duration::from_secs(20))).await;
}
