//! The fan-out's plan: subscriptions × events × what already settled → batches.

use std::sync::Arc;

use serde_json::{Value, json};
use shared::delivery::EventJson;
use shared::delivery::plan::{Batch, Settled, Subscribers, plan};
use shared::subscriptions::EventSubscription;
use time::macros::datetime;

const TOPIC: &str = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.EventGrid/partnerTopics/orders";
const T0: time::OffsetDateTime = datetime!(2026-01-05 10:00 UTC);

/// A subscription `name` of the topic with `filter`, to `destination` (a webhook by default).
fn subscription(name: &str, filter: Value, destination: Option<Value>) -> Arc<EventSubscription> {
    let destination = destination.unwrap_or_else(|| {
        json!({"endpointType": "WebHook", "properties": {"endpointUrl": "https://example.com/"}})
    });
    let stored = json!({
        "id": format!("{TOPIC}/eventSubscriptions/{name}"),
        "destination": destination,
        "filter": filter,
        "labels": [],
        "retryPolicy": {},
    });
    Arc::new(serde_json::from_value(stored).unwrap())
}

fn events(types: &[&str]) -> Vec<EventJson> {
    types
        .iter()
        .enumerate()
        .map(|(i, t)| match *t {
            "unreadable" => EventJson::from("{not json"),
            t => EventJson::from(
                json!({"id": format!("e{i}"), "type": t, "data": {"size": i}}).to_string(),
            ),
        })
        .collect()
}

/// Each batch as (subscription name, event indexes, doomed).
fn shape(batches: &[Batch]) -> Vec<(String, Vec<u32>, Option<&'static str>)> {
    batches
        .iter()
        .map(|b| {
            (
                b.subscription.id.name().to_owned(),
                b.indexes.clone(),
                b.doomed,
            )
        })
        .collect()
}

fn row(
    name: &str,
    indexes: &[u32],
    doomed: Option<&'static str>,
) -> (String, Vec<u32>, Option<&'static str>) {
    (name.to_owned(), indexes.to_vec(), doomed)
}

fn subscribers(all: Vec<Arc<EventSubscription>>) -> Subscribers {
    let (subscribers, failed) = Subscribers::compile(all);
    assert!(failed.is_empty());
    subscribers
}

#[test]
fn each_subscription_gets_the_events_its_filter_matches_one_per_batch_by_default() {
    let all = subscribers(vec![
        subscription(
            "created",
            json!({"includedEventTypes": ["Order.Created"]}),
            None,
        ),
        subscription("everything", json!({}), None),
    ]);
    let planned = plan(
        &all,
        T0,
        &events(&["Order.Created", "Order.Shipped"]),
        &Settled::default(),
    );
    assert_eq!(
        shape(&planned.batches),
        [
            row("created", &[0], None),
            row("everything", &[0], None),
            row("everything", &[1], None)
        ]
    );
    let first = &planned.batches[0];
    assert_eq!(
        (first.head.attempts, first.head.published_at, first.head.due),
        (0, T0, T0)
    );
    assert_eq!(first.ids, [Arc::<str>::from("e0")]);
}

#[test]
fn batches_follow_the_destinations_limits() {
    let hook = |max: u32| {
        Some(json!({"endpointType": "WebHook", "properties": {
            "endpointUrl": "https://example.com/", "maxEventsPerBatch": max}}))
    };
    let all = subscribers(vec![
        subscription("twos", json!({}), hook(2)),
        subscription("tens", json!({}), hook(10)),
    ]);
    let planned = plan(
        &all,
        T0,
        &events(&["a", "b", "c", "d", "e"]),
        &Settled::default(),
    );
    assert_eq!(
        shape(&planned.batches),
        [
            row("twos", &[0, 1], None),
            row("twos", &[2, 3], None),
            row("twos", &[4], None),
            row("tens", &[0, 1, 2, 3, 4], None),
        ]
    );
}

#[test]
fn what_already_settled_for_a_subscription_is_left_out_for_it_alone() {
    let all = subscribers(vec![
        subscription("first", json!({}), None),
        subscription("second", json!({}), None),
    ]);
    let mut settled = Settled::default();
    settled.insert(
        format!("{TOPIC}/eventSubscriptions/first"),
        [0, 2].into_iter().collect(),
    );
    let planned = plan(&all, T0, &events(&["x", "y", "z"]), &settled);
    assert_eq!(
        shape(&planned.batches),
        [
            row("first", &[1], None),
            row("second", &[0], None),
            row("second", &[1], None),
            row("second", &[2], None)
        ]
    );
}

#[test]
fn a_disabled_subscription_gets_nothing() {
    let mut disabled = (*subscription("gone", json!({}), None)).clone();
    disabled.disabled_at = Some(T0);
    let all = subscribers(vec![
        Arc::new(disabled),
        subscription("live", json!({}), None),
    ]);
    let planned = plan(&all, T0, &events(&["x"]), &Settled::default());
    assert_eq!(shape(&planned.batches), [row("live", &[0], None)]);
}

#[test]
fn an_unreadable_event_is_doomed_for_every_enabled_subscription_unless_it_settled() {
    let all = subscribers(vec![
        subscription(
            "created",
            json!({"includedEventTypes": ["Order.Created"]}),
            None,
        ),
        subscription("done", json!({}), None),
    ]);
    let mut settled = Settled::default();
    settled.insert(
        format!("{TOPIC}/eventSubscriptions/done"),
        [1].into_iter().collect(),
    );
    let planned = plan(
        &all,
        T0,
        &events(&["Order.Created", "unreadable"]),
        &settled,
    );
    let doomed = Some("UnreadableEvent");
    assert_eq!(
        shape(&planned.batches),
        [
            row("created", &[1], doomed),
            row("created", &[0], None),
            row("done", &[0], None)
        ]
    );
    assert_eq!(planned.unreadable, 1);
}

#[test]
fn no_subscriptions_plan_nothing_and_read_nothing() {
    let planned = plan(
        &subscribers(Vec::new()),
        T0,
        &events(&["unreadable"]),
        &Settled::default(),
    );
    assert!(planned.batches.is_empty());
    assert_eq!(planned.unreadable, 0);
}

#[test]
fn an_aws_target_takes_up_to_a_hundred_events_a_batch() {
    let queue = Some(json!({"endpointType": "SqsQueue", "properties": {
        "resourceId": "arn:aws:sqs:us-east-1:123456789012:orders"}}));
    let all = subscribers(vec![subscription("sqs", json!({}), queue)]);
    let types: Vec<&str> = std::iter::repeat_n("x", 150).collect();
    let planned = plan(&all, T0, &events(&types), &Settled::default());
    let sizes: Vec<usize> = planned.batches.iter().map(|b| b.events.len()).collect();
    assert_eq!(sizes, [100, 50]);
}
