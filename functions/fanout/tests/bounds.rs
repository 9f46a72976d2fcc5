//! The fan-out handler's bounds, on the embedded store and queue with a real webhook client and
//! receiver: one endpoint never has more than its slots in flight, a failing one gets fewer,
//! and an invocation near its deadline queues what it cannot attempt in time (not an attempt,
//! nothing lost).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use shared::ports::{Attempt, DeliveryRequest, Ports, Queue, SystemClock, Webhooks};
use shared::usecases::flows::deliveries::Deliveries;

/// A receiver that holds each request for `hold` and answers `status`; it notes the most
/// requests it had in flight at once, and how many it got.
struct Receiver {
    url: String,
    in_flight: Arc<AtomicUsize>,
    most: Arc<AtomicUsize>,
    got: Arc<AtomicUsize>,
}

impl Receiver {
    async fn start(hold: Duration, status: u16) -> Self {
        let (in_flight, most, got) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicUsize::new(0)),
        );
        let (i, m, g) = (in_flight.clone(), most.clone(), got.clone());
        let app = axum::Router::new().fallback(move || {
            let (i, m, g) = (i.clone(), m.clone(), g.clone());
            async move {
                g.fetch_add(1, Ordering::SeqCst);
                let now = i.fetch_add(1, Ordering::SeqCst) + 1;
                m.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(hold).await;
                i.fetch_sub(1, Ordering::SeqCst);
                axum::http::StatusCode::from_u16(status).unwrap()
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            url,
            in_flight,
            most,
            got,
        }
    }

    fn most(&self) -> usize {
        self.most.swap(0, Ordering::SeqCst)
    }
}

fn client(per_endpoint: usize) -> Arc<infra::webhook::HttpWebhooks> {
    Arc::new(
        infra::webhook::HttpWebhooks::new(infra::webhook::AllowedNetworks::all())
            .unwrap()
            .with_max_per_endpoint(per_endpoint),
    )
}

fn post(url: &str, start_by: Option<Instant>) -> DeliveryRequest {
    DeliveryRequest {
        url: url.to_owned(),
        headers: Vec::new(),
        body: "{}".into(),
        start_by,
        answer_within: None,
    }
}

async fn wave(hooks: &Arc<infra::webhook::HttpWebhooks>, url: &str, n: usize) -> Vec<Attempt> {
    let sends: Vec<_> = (0..n)
        .map(|_| {
            let (hooks, request) = (hooks.clone(), post(url, None));
            tokio::spawn(async move { hooks.deliver(&request).await })
        })
        .collect();
    let mut answers = Vec::new();
    for send in sends {
        answers.push(send.await.unwrap());
    }
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_endpoint_never_has_more_requests_in_flight_than_its_slots() {
    let receiver = Receiver::start(Duration::from_millis(200), 200).await;
    let hooks = client(4);
    let answers = wave(&hooks, &receiver.url, 20).await;
    assert!(
        answers
            .iter()
            .all(|a| matches!(a, Attempt::Answered { status: 200, .. }))
    );
    assert_eq!(receiver.got.load(Ordering::SeqCst), 20);
    assert_eq!(receiver.most(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_never_has_more_requests_in_flight_than_its_bound_across_endpoints() {
    let receiver = Receiver::start(Duration::from_millis(200), 200).await;
    let hooks = Arc::new(
        infra::webhook::HttpWebhooks::new(infra::webhook::AllowedNetworks::all())
            .unwrap()
            .with_max_in_flight(4),
    );
    let other_host = receiver.url.replace("127.0.0.1", "localhost");
    let (a, b) = tokio::join!(
        wave(&hooks, &receiver.url, 10),
        wave(&hooks, &other_host, 10)
    );
    assert!(
        a.iter()
            .chain(&b)
            .all(|a| matches!(a, Attempt::Answered { status: 200, .. }))
    );
    assert_eq!(receiver.got.load(Ordering::SeqCst), 20);
    assert_eq!(
        receiver.most(),
        4,
        "two endpoints share the instance's four"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_endpoint_gets_fewer_requests_at_once_and_more_again_once_it_answers() {
    let failing = Receiver::start(Duration::from_millis(100), 503).await;
    let hooks = client(8);
    wave(&hooks, &failing.url, 8).await;
    assert_eq!(failing.most(), 8);
    wave(&hooks, &failing.url, 8).await;
    assert_eq!(failing.most(), 1, "eight failures in a row leave one slot");

    let healthy = Receiver::start(Duration::from_millis(100), 200).await;
    wave(&hooks, &healthy.url, 8).await;
    assert_eq!(healthy.most(), 8, "another endpoint keeps its slots");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_with_no_free_slot_before_its_start_by_is_not_sent() {
    let receiver = Receiver::start(Duration::from_secs(2), 200).await;
    let hooks = client(1);
    let busy = {
        let (hooks, request) = (hooks.clone(), post(&receiver.url, None));
        tokio::spawn(async move { hooks.deliver(&request).await })
    };
    while receiver.in_flight.load(Ordering::SeqCst) == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let started = Instant::now();
    let late = post(&receiver.url, Some(started + Duration::from_millis(200)));
    assert_eq!(hooks.deliver(&late).await, Attempt::NotSent);
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(matches!(
        busy.await.unwrap(),
        Attempt::Answered { status: 200, .. }
    ));
    assert_eq!(receiver.got.load(Ordering::SeqCst), 1);
}

const TOPIC: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.EventGrid/partnerTopics/orders";

/// The fan-out on a fresh embedded store and delivery queue, with two slots per endpoint and
/// attempts given a second, for one subscription to `url` whose events live `ttl_minutes`.
struct Fanout {
    deliveries: Deliveries,
    queue: Arc<infra::embedded::EmbeddedQueue>,
    subscription: shared::ids::ResourceId,
    _dir: tempfile::TempDir,
}

impl Fanout {
    async fn start(url: &str, ttl_minutes: i64) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let ports = Ports {
            store: Arc::new(infra::embedded::EmbeddedStore::open(dir.path()).unwrap()),
            clock: Arc::new(SystemClock),
        };
        let queue = Arc::new(infra::embedded::EmbeddedQueue::open(dir.path(), "delivery").unwrap());
        let subscription: shared::subscriptions::EventSubscription =
            serde_json::from_value(json!({
                "id": format!("{TOPIC}/eventSubscriptions/slow"),
                "destination": {"endpointType": "WebHook", "properties": {"endpointUrl": url}},
                "filter": {}, "labels": [],
                "retryPolicy": {"maxDeliveryAttempts": 30, "eventTimeToLiveInMinutes": ttl_minutes}
            }))
            .unwrap();
        ports
            .store
            .put(
                shared::table::resource_key(&subscription.id),
                serde_json::to_string(&subscription).unwrap(),
                shared::ports::Expect::Absent,
            )
            .await
            .unwrap();
        let deliveries = Deliveries::new(
            ports,
            queue.clone(),
            shared::ports::Destinations::webhooks(client(2)),
            Arc::new(|| 0.5),
        )
        .with_attempt_time(Duration::from_secs(1));
        Self {
            deliveries,
            queue,
            subscription: subscription.id,
            _dir: dir,
        }
    }
}

/// A fan-out message `id` of `n` events published `ago`.
fn message(id: &str, n: usize, ago: time::Duration) -> String {
    let events: Vec<_> = (0..n)
        .map(|i| json!({"specversion": "1.0", "id": format!("{id}-{i}"), "source": "s", "type": "t"}))
        .collect();
    let published = time::OffsetDateTime::now_utc() - ago;
    json!({"topic": TOPIC, "id": id, "events": events,
        "publishedAt": shared::time_format::rfc3339(published)})
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invocation_near_its_deadline_queues_what_it_cannot_attempt_in_time() {
    let receiver = Receiver::start(Duration::from_millis(1000), 200).await;
    let f = Fanout::start(&receiver.url, 1440).await;
    let deadline = Instant::now() + Duration::from_millis(2500);
    f.deliveries
        .handle(&message("m1", 10, time::Duration::ZERO), 1, Some(deadline))
        .await
        .unwrap();
    assert!(Instant::now() < deadline, "the handler returned in time");
    let sent = receiver.got.load(Ordering::SeqCst);
    assert!(
        (2..10).contains(&sent),
        "only what fit before the deadline: {sent}"
    );
    let mut queued = Vec::new();
    while queued.len() < 10 - sent {
        let tasks = f
            .queue
            .receive(10, Duration::from_secs(60), Duration::from_secs(12))
            .await
            .unwrap();
        assert!(!tasks.is_empty(), "queued {queued:?}, sent {sent}");
        for task in &tasks {
            let body: serde_json::Value = serde_json::from_str(&task.body).unwrap();
            assert_eq!(
                body["task"]["attempts"], 0,
                "a deferred batch is not an attempt: {body}"
            );
            queued.extend(
                body["events"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["id"].to_string()),
            );
        }
    }
    assert_eq!(queued.len(), 10 - sent, "the rest is queued, none lost");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_too_close_for_any_attempt_is_ignored_rather_than_deferring_forever() {
    let receiver = Receiver::start(Duration::from_millis(10), 200).await;
    let f = Fanout::start(&receiver.url, 1440).await;
    let close = Instant::now() + Duration::from_millis(500);
    f.deliveries
        .handle(&message("m1", 3, time::Duration::ZERO), 1, Some(close))
        .await
        .unwrap();
    assert_eq!(receiver.got.load(Ordering::SeqCst), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_deferred_past_its_events_time_to_live_is_dead_lettered() {
    let receiver = Receiver::start(Duration::from_millis(1000), 200).await;
    let f = Fanout::start(&receiver.url, 1).await;
    let deadline = Instant::now() + Duration::from_millis(1300);
    f.deliveries
        .handle(
            &message("m1", 5, time::Duration::seconds(55)),
            1,
            Some(deadline),
        )
        .await
        .unwrap();
    assert_eq!(receiver.got.load(Ordering::SeqCst), 2, "two slots");
    let dead = f
        .deliveries
        .ports
        .store
        .query(
            &shared::table::dead_letter_partition(&f.subscription),
            "",
            None,
            10,
        )
        .await
        .unwrap();
    assert_eq!(dead.items.len(), 3, "the three that found no slot");
    assert!(
        dead.items[0].body.contains("TimeToLiveExceeded"),
        "{}",
        dead.items[0].body
    );
    let queued = f
        .queue
        .receive(10, Duration::from_secs(60), Duration::ZERO)
        .await
        .unwrap();
    assert!(
        queued.iter().all(|m| !m.body.contains("\"task\"")),
        "no task deferred, only the dead-letter notices: {queued:?}"
    );
}
