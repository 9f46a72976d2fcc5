//! The fan-out handler's metrics in CloudWatch's Embedded Metric Format, as the function writes
//! them after an invocation (captured from the collector's writer rather than stdout): counts
//! by outcome, attempts and latency values, in the namespace it was given.

use std::sync::Arc;

use serde_json::Value;
use shared::metrics as m;
use shared::ports::{Ports, Queue, SystemClock};
use shared::usecases::flows::deliveries::Deliveries;

use crate::{fanout_message, queue_url, receive, receiver, sqs, store, subscribe};

/// The EMF documents written: one per label set.
fn documents(written: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(written)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// The value of `metric` in the document whose dimension `label` is `value` (or the one with
/// no dimensions), and that document's declaration of it.
fn metric<'a>(documents: &'a [Value], metric: &str, label: Option<(&str, &str)>) -> &'a Value {
    documents
        .iter()
        .find(|d| {
            let dimensions = &d["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0];
            let labelled = match label {
                Some((name, value)) => *dimensions == serde_json::json!([name]) && d[name] == value,
                None => *dimensions == serde_json::json!([]),
            };
            labelled && !d[metric].is_null()
        })
        .map(|d| &d[metric])
        .unwrap_or_else(|| panic!("no {metric} {label:?} in {documents:#?}"))
}

/// The fan-out and delivery handler of run `run`, with a webhook subscription per (name, mode
/// of the receiver) and its delivery queue on moto.
async fn deliveries_to(
    client: &aws_sdk_sqs::Client,
    run: &str,
    subscriptions: &[(&str, &str)],
) -> Deliveries {
    let delivery =
        infra::sqs::SqsQueue::create_if_missing(client.clone(), &format!("delivery-{run}"), 2)
            .await
            .unwrap();
    let ports = Ports {
        store: Arc::new(store().await),
        clock: Arc::new(SystemClock),
    };
    let (hooks, _) = receiver().await;
    for (name, mode) in subscriptions {
        subscribe(&ports, name, &format!("{hooks}/{mode}")).await;
    }
    Deliveries::new(
        ports,
        Arc::new(delivery),
        shared::ports::Destinations::webhooks(Arc::new(
            infra::webhook::HttpWebhooks::new(infra::webhook::AllowedNetworks::all()).unwrap(),
        )),
        Arc::new(|| 0.5),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invocation_writes_its_delivery_metrics_as_embedded_metric_format() {
    infra::metrics::cloudwatch("PartnerEvents/test").unwrap();
    let client = sqs();
    let run = uuid::Uuid::new_v4().simple().to_string();
    let fanout_name = format!("fanout-{run}");
    let fanout = infra::sqs::SqsQueue::create_if_missing(client.clone(), &fanout_name, 2)
        .await
        .unwrap();
    let deliveries = deliveries_to(&client, &run, &[("good", "ok"), ("bad", "fail")]).await;
    let messages = ["good-1", "good-2", "good-3", "bad-1", "bad-2"].map(fanout_message);
    fanout
        .send(messages.to_vec(), std::time::Duration::ZERO)
        .await
        .unwrap();
    let event = receive(&client, &queue_url(&client, &fanout_name).await, 30).await;
    assert_eq!(event.records.len(), 5);
    let response = fanout::handle_sqs(&deliveries, event, None).await;
    assert!(response.batch_item_failures.is_empty());

    let mut written = Vec::new();
    infra::metrics::flush_to(&mut written).unwrap();
    let documents = documents(&written);
    for document in &documents {
        assert_eq!(
            document["_aws"]["CloudWatchMetrics"][0]["Namespace"],
            "PartnerEvents/test"
        );
        assert!(document["_aws"]["Timestamp"].is_u64());
    }
    assert_eq!(
        *metric(&documents, m::DELIVERIES, Some(("outcome", "Delivered"))),
        3
    );
    assert_eq!(
        *metric(&documents, m::DELIVERIES, Some(("outcome", "Aborted"))),
        2
    );
    assert_eq!(*metric(&documents, m::ATTEMPTS, None), 5);
    let latencies = metric(&documents, m::DELIVERY_LATENCY, None);
    assert_eq!(
        latencies.as_array().unwrap().len(),
        3,
        "one value per delivered batch"
    );
    assert_eq!(
        metric(&documents, m::ATTEMPT_DURATION, None)
            .as_array()
            .unwrap()
            .len(),
        5
    );
    let declared = documents
        .iter()
        .find(|d| !d[m::ATTEMPT_DURATION].is_null())
        .unwrap();
    let units = declared["_aws"]["CloudWatchMetrics"][0]["Metrics"].to_string();
    assert!(units.contains("\"Seconds\""), "{units}");

    let mut again = Vec::new();
    infra::metrics::flush_to(&mut again).unwrap();
    assert!(
        documents_of_counters(&again).is_empty(),
        "a flush writes what was recorded since the last: {}",
        String::from_utf8_lossy(&again)
    );
}

/// The counter values a flush wrote (counters are written only when they changed).
fn documents_of_counters(written: &[u8]) -> Vec<Value> {
    documents(written)
        .into_iter()
        .filter(|d| !d[m::DELIVERIES].is_null() || !d[m::ATTEMPTS].is_null())
        .collect()
}

/// Counts the error events logged.
struct Errors(Arc<std::sync::atomic::AtomicUsize>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Errors {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if *event.metadata().level() == tracing::Level::ERROR {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invocation_of_more_attempts_than_a_document_holds_writes_a_sample_and_logs_no_error() {
    use tracing_subscriber::layer::SubscriberExt;
    let errors = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    tracing::subscriber::set_global_default(
        tracing_subscriber::registry().with(Errors(errors.clone())),
    )
    .unwrap();
    infra::metrics::cloudwatch("PartnerEvents/test").unwrap();
    let run = uuid::Uuid::new_v4().simple().to_string();
    let deliveries = deliveries_to(&sqs(), &run, &[("good", "ok")]).await;
    let mut message: Value = serde_json::from_str(&fanout_message("good-0")).unwrap();
    message["events"] = (0..250)
        .map(|i| serde_json::json!({"specversion": "1.0", "id": format!("e{i}"), "source": "s", "type": "t", "subject": format!("good-{i}")}))
        .collect();
    let record = fanout::Record {
        id: "m1".into(),
        body: message.to_string(),
        receive_count: 1,
    };
    assert!(
        fanout::handle(&deliveries, vec![record], None)
            .await
            .is_empty()
    );

    let mut written = Vec::new();
    infra::metrics::flush_to(&mut written).unwrap();
    let documents = documents(&written);
    assert_eq!(
        *metric(&documents, m::DELIVERIES, Some(("outcome", "Delivered"))),
        250,
        "counters stay exact"
    );
    assert_eq!(*metric(&documents, m::ATTEMPTS, None), 250);
    for histogram in [m::ATTEMPT_DURATION, m::DELIVERY_LATENCY] {
        let values = metric(&documents, histogram, None).as_array().unwrap();
        assert_eq!(
            values.len(),
            100,
            "{histogram}: a sample of the document's 100"
        );
    }
    assert_eq!(
        errors.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "no value was refused"
    );
}
