//! Partial batch failures name exactly the records that failed, a failed delivery becomes a
//! delayed task on the delivery queue, and a poison message ends in the DLQ.

use std::sync::Arc;

use serde_json::json;
use shared::ports::{Ports, Queue, SystemClock};
use shared::usecases::flows::deliveries::Deliveries;

use crate::{
    TOPIC, delete, fanout_message, published_at, queue_url, receive, receiver, sqs, store,
    subscribe,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_batch_failures_name_exactly_the_failed_records_and_poison_ends_in_the_dlq() {
    let client = sqs();
    let run = uuid::Uuid::new_v4().simple().to_string();
    let fanout_name = format!("fanout-{run}");
    let fanout = infra::sqs::SqsQueue::create_if_missing(client.clone(), &fanout_name, 2)
        .await
        .unwrap();
    let delivery_name = format!("delivery-{run}");
    let delivery = infra::sqs::SqsQueue::create_if_missing(client.clone(), &delivery_name, 2)
        .await
        .unwrap();
    let ports = Ports {
        store: Arc::new(store().await),
        clock: Arc::new(SystemClock),
    };
    let (hooks, _) = receiver().await;
    subscribe(&ports, "good", &format!("{hooks}/ok")).await;
    subscribe(&ports, "bad", &format!("{hooks}/fail")).await;
    let deliveries = Deliveries::new(
        ports,
        Arc::new(delivery),
        shared::ports::Destinations::webhooks(Arc::new(
            infra::webhook::HttpWebhooks::new(infra::webhook::AllowedNetworks::all()).unwrap(),
        )),
        Arc::new(|| 0.5),
    );

    fanout
        .send(
            vec![
                fanout_message("good-1"),
                "this is not a queue message".into(),
                fanout_message("bad-1"),
                json!({"topic": TOPIC, "publishedAt": published_at(), "payload": "missing"})
                    .to_string(),
            ],
            std::time::Duration::ZERO,
        )
        .await
        .unwrap();
    let fanout_url = queue_url(&client, &fanout_name).await;
    let event = receive(&client, &fanout_url, 1).await;
    assert_eq!(
        event.records.len(),
        4,
        "moto returned every message at once"
    );
    let by_body = |needle: &str| {
        event
            .records
            .iter()
            .find(|r| r.body.as_deref().unwrap().contains(needle))
            .and_then(|r| r.message_id.clone())
            .unwrap()
    };
    let expected = {
        let mut ids = vec![by_body("not a queue message"), by_body("missing")];
        ids.sort();
        ids
    };
    let response = fanout::handle_sqs(&deliveries, event.clone(), None).await;
    let mut failed: Vec<String> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone())
        .collect();
    failed.sort();
    assert_eq!(failed, expected);
    delete(&client, &fanout_url, &event, &failed).await;

    let delivery_url = queue_url(&client, &delivery_name).await;
    let attributes = client
        .get_queue_attributes()
        .queue_url(&delivery_url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesDelayed)
        .send()
        .await
        .unwrap();
    let delayed = attributes
        .attributes()
        .and_then(|a| {
            a.get(&aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesDelayed)
        })
        .cloned();
    assert_eq!(
        delayed.as_deref(),
        Some("1"),
        "the failed delivery waits as a delayed task"
    );

    let mut receives = 1;
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let event = receive(&client, &fanout_url, 1).await;
        if event.records.is_empty() {
            break;
        }
        receives += 1;
        assert!(receives <= 3, "the poison messages never left the queue");
        let response = fanout::handle_sqs(&deliveries, event.clone(), None).await;
        assert_eq!(response.batch_item_failures.len(), event.records.len());
    }
    let dlq_url = queue_url(&client, &format!("{fanout_name}-dlq")).await;
    let dead = receive(&client, &dlq_url, 30).await;
    let mut bodies: Vec<String> = dead
        .records
        .iter()
        .map(|r| r.body.clone().unwrap())
        .collect();
    bodies.sort();
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    assert!(bodies.iter().any(|b| b == "this is not a queue message"));
}
