//! Fan-out and delivery over HTTP to real local webhook receivers: who gets what, batch
//! shapes and headers, slow endpoints, large events, isolation.

use std::time::Duration as StdDuration;

use e2e::receiver::Plan;
use e2e::{Answer, Server, active_topic_on, ids, order_event, webhook};
use reqwest::StatusCode;
use serde_json::json;

async fn quiet(ms: u64) {
    tokio::time::sleep(StdDuration::from_millis(ms)).await;
}

#[tokio::test]
async fn every_matching_subscription_gets_every_event_and_the_others_none() {
    let (_server, topic, hooks) = active_topic_on(Server::builder()).await;
    let to = |name: &str| webhook(&hooks.url(name));
    for (name, properties) in [
        (
            "all",
            json!({"destination": {"endpointType": "WebHook", "properties": {
            "endpointUrl": hooks.url("all"),
            "deliveryAttributeMappings": [
                {"name": "x-tenant", "type": "Static", "properties": {"value": "contoso"}},
                {"name": "x-key", "type": "Static", "properties": {"value": "s3cret", "isSecret": true}},
                {"name": "x-total", "type": "Dynamic", "properties": {"sourceField": "data.total"}}
            ]}}}),
        ),
        (
            "created",
            json!({"destination": to("created"), "filter": {"includedEventTypes": ["Order.Created"]}}),
        ),
        (
            "big",
            json!({"destination": to("big"), "filter": {"advancedFilters": [{"operatorType": "NumberGreaterThan", "key": "data.total", "value": 100}]}}),
        ),
        (
            "batched",
            json!({"destination": {"endpointType": "WebHook", "properties": {
                "endpointUrl": hooks.url("batched"), "maxEventsPerBatch": 10}}}),
        ),
        (
            "none",
            json!({"destination": to("none"), "filter": {"includedEventTypes": ["Nothing.Happened"]}}),
        ),
    ] {
        topic.subscribe(name, properties).await;
    }
    topic
        .publish(&json!([
            order_event("e1", "Order.Created", json!({"total": 50})),
            order_event("e2", "Order.Created", json!({"total": 150})),
            order_event("e3", "Order.Created", json!({"total": 500})),
            order_event("e4", "Order.Shipped", json!({"total": 200})),
            order_event("e5", "Order.Shipped", json!({"total": 5})),
        ]))
        .await;

    let all = hooks.wait_for("all", 5).await;
    assert_eq!(
        ids(&hooks.accepted_events("all")),
        ["e1", "e2", "e3", "e4", "e5"]
    );
    for d in &all {
        assert!(
            d.body.is_object(),
            "one event, structured mode: {:?}",
            d.body
        );
        assert_eq!(
            d.header("content-type"),
            Some("application/cloudevents+json; charset=utf-8")
        );
        assert_eq!(d.header("aeg-subscription-name"), Some("all"));
        assert_eq!(d.header("aeg-delivery-count"), Some("0"));
        assert_eq!(d.header("aeg-event-type"), Some("Notification"));
        assert_eq!(d.header("aeg-metadata-version"), Some("1"));
        assert_eq!(d.header("x-tenant"), Some("contoso"));
        assert_eq!(d.header("x-key"), Some("s3cret"));
        assert_eq!(
            d.header("x-total"),
            Some(d.body["data"]["total"].to_string().as_str())
        );
    }
    hooks.wait_for("created", 3).await;
    assert_eq!(ids(&hooks.accepted_events("created")), ["e1", "e2", "e3"]);
    hooks.wait_for("big", 3).await;
    assert_eq!(ids(&hooks.accepted_events("big")), ["e2", "e3", "e4"]);
    let batched = hooks.wait_for("batched", 1).await;
    assert_eq!(
        batched[0].header("content-type"),
        Some("application/cloudevents-batch+json; charset=utf-8")
    );
    assert_eq!(ids(&batched[0].events()), ["e1", "e2", "e3", "e4", "e5"]);
    assert_eq!(
        batched[0].body[0]["data"]["total"], 50,
        "events arrive as published"
    );
    quiet(500).await;
    assert!(hooks.deliveries("none").is_empty());
    assert_eq!(hooks.deliveries("all").len(), 5, "no duplicates");
}

#[tokio::test]
async fn a_slow_endpoint_does_not_hold_up_the_others() {
    let (_server, topic, hooks) = active_topic_on(Server::builder()).await;
    hooks.plan("a-slow", Plan::Slow(StdDuration::from_secs(3)));
    topic.subscribe_receiver(&hooks, "a-slow").await;
    topic.subscribe_receiver(&hooks, "z-fast").await;
    let started = std::time::Instant::now();
    topic
        .publish(&json!([
            order_event("e1", "Order.Created", json!({})),
            order_event("e2", "Order.Created", json!({})),
        ]))
        .await;
    hooks.wait_for("z-fast", 2).await;
    assert!(
        started.elapsed() < StdDuration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    hooks.wait_for("a-slow", 2).await;
}

#[tokio::test]
async fn an_event_of_almost_a_megabyte_is_delivered_intact() {
    let (_server, topic, hooks) = active_topic_on(Server::builder()).await;
    topic.subscribe_receiver(&hooks, "large").await;
    let blob = "x".repeat(900 * 1024);
    topic
        .publish(&json!([order_event(
            "big",
            "Order.Created",
            json!({"blob": blob})
        )]))
        .await;
    let got = hooks.wait_for("large", 1).await;
    assert_eq!(got[0].body["id"], "big");
    assert_eq!(
        got[0].body["data"]["blob"].as_str().unwrap().len(),
        blob.len()
    );
}

#[tokio::test]
async fn dead_letters_and_counts_are_the_owners_alone() {
    let (server, topic, hooks) = active_topic_on(Server::builder()).await;
    let sub = topic.subscribe_receiver(&hooks, "mine").await;
    let (stranger, _) = server.tenant("stranger").await;
    for path in ["deadLetters", "deliveryStats"] {
        let (status, _) = stranger.get(&format!("{sub}/{path}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    stranger
        .action(&sub, "redeliverDeadLetters")
        .await
        .expect_status(StatusCode::NOT_FOUND);
    topic
        .owner
        .assert_missing(&format!("{}/deadLetters", topic.subscription("nope")))
        .await;
}

#[tokio::test]
async fn an_event_the_fan_out_cannot_read_is_dead_lettered_for_every_subscription() {
    let (server, topic, hooks) = active_topic_on(Server::builder().paused()).await;
    let all = topic.subscribe_receiver(&hooks, "all").await;
    let some = topic
        .subscribe(
            "some",
            json!({"destination": webhook(&hooks.url("some")),
                   "filter": {"includedEventTypes": ["Order.Created"]}}),
        )
        .await;
    let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    let unreadable = [
        r#"{"specversion":"1.0","id":"huge","source":"fabrikam/orders","type":"t","data":1e400}"#
            .to_owned(),
        format!(
            r#"{{"specversion":"1.0","id":"deep","source":"fabrikam/orders","type":"t","data":{deep}}}"#
        ),
    ];
    let message = format!(
        r#"{{"topic":"{}","publishedAt":"{}","events":[{},{}]}}"#,
        topic.path,
        shared::time_format::rfc3339(time::OffsetDateTime::now_utc()),
        order_event("fine", "Order.Created", json!({})),
        unreadable.join(",")
    );
    server
        .app
        .fanout
        .send(vec![message], StdDuration::ZERO)
        .await
        .unwrap();
    server.fan_out().await;
    assert_eq!(ids(&hooks.accepted_events("all")), ["fine"]);
    for subscription in [all, some] {
        let letters = topic.dead_letters(&subscription).await;
        let mut texts: Vec<&str> = letters
            .iter()
            .map(|l| {
                assert_eq!(l["deadletterreason"], "UnreadableEvent");
                l["event"].as_str().unwrap()
            })
            .collect();
        texts.sort();
        let mut expected: Vec<&str> = unreadable.iter().map(String::as_str).collect();
        expected.sort();
        assert_eq!(texts, expected, "{subscription}");
    }
}
