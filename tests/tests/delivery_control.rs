//! Pause and resume, and the delivery log, over HTTP with real receivers: held events are
//! neither attempted nor dead-lettered, survive a restart and arrive oldest first on resume;
//! an event's attempts are listed with their outcome and what followed.

use std::time::Duration as StdDuration;

use e2e::receiver::Plan;
use e2e::{Answer, Publisher, Server, active_topic_on};
use reqwest::StatusCode;
use serde_json::json;
use time::{Duration, OffsetDateTime};

async fn quiet(ms: u64) {
    tokio::time::sleep(StdDuration::from_millis(ms)).await;
}

/// Waits (up to 10 s) until `subscription`'s log lists `count` attempts of `event`.
async fn attempts_of(
    owner: &e2e::Client,
    subscription: &str,
    event: &str,
    count: usize,
) -> Vec<serde_json::Value> {
    for _ in 0..200 {
        let listed = owner
            .get(&format!("{subscription}/deliveryAttempts?eventId={event}"))
            .await
            .expect_status(StatusCode::OK);
        let value = listed["value"].as_array().unwrap().clone();
        if value.len() >= count {
            return value;
        }
        quiet(50).await;
    }
    panic!("{subscription} never logged {count} attempts of {event}");
}

#[tokio::test]
async fn a_paused_subscription_holds_events_and_delivers_them_oldest_first_on_resume() {
    let (server, topic, hooks) = active_topic_on(Server::builder().paused()).await;
    let sub = topic.subscribe_receiver(&hooks, "paused").await;
    topic.publish_one("before").await;
    server.fan_out().await;
    hooks.wait_for("paused", 1).await;
    let paused = topic
        .owner
        .post(&format!("{sub}/pause"), json!({}))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(paused["properties"]["deliveryState"], "Paused", "{paused}");
    let shown = topic.owner.get(&sub).await.expect_status(StatusCode::OK);
    assert_eq!(shown["properties"]["deliveryState"], "Paused");

    for id in ["e1", "e2", "e3"] {
        topic.publish_one(id).await;
        quiet(5).await;
    }
    server.fan_out().await;
    assert!(server.deliver_waiting().await.is_empty());
    assert_eq!(
        hooks.deliveries("paused").len(),
        1,
        "nothing is attempted while paused"
    );
    assert!(
        topic.dead_letters(&sub).await.is_empty(),
        "nor dead-lettered"
    );
    let stats = topic.owner.get(&format!("{sub}/deliveryStats")).await.1;
    assert_eq!(stats["failedAttempts"], 0, "no attempt is used: {stats}");

    let resumed = topic
        .owner
        .post(&format!("{sub}/resume"), json!({}))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(resumed["properties"]["deliveryState"], "Enabled");
    let queued = server.deliver_waiting().await;
    assert_eq!(queued.len(), 3, "{queued:?}");
    let got = hooks.wait_for("paused", 4).await;
    let ids: Vec<_> = got[1..].iter().map(|d| d.body["id"].clone()).collect();
    assert_eq!(ids, vec!["e1", "e2", "e3"], "queued again oldest first");
    assert_eq!(got[1].header("aeg-delivery-count"), Some("0"));

    topic.publish_one("e4").await;
    server.fan_out().await;
    hooks.wait_for("paused", 5).await;
}

#[tokio::test]
async fn held_events_survive_a_restart_of_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let builder = Server::builder().data_dir(dir.path()).paused();
    let (server, mut topic, hooks) = active_topic_on(builder).await;
    let sub = topic.subscribe_receiver(&hooks, "held").await;
    topic
        .owner
        .post(&format!("{sub}/pause"), json!({}))
        .await
        .expect_status(StatusCode::OK);
    topic.publish_one("kept").await;
    server.fan_out().await;
    assert!(
        server.deliver_waiting().await.is_empty(),
        "held, not queued"
    );

    let old_base = server.base.clone();
    let server = server.restart().await;
    topic.owner = topic.owner.rebased(&server.base);
    topic.publisher = Publisher::new(&topic.publisher.url.replace(&old_base, &server.base));
    server.fan_out().await;
    server.deliver_waiting().await;
    assert!(hooks.deliveries("held").is_empty());
    let shown = topic.owner.get(&sub).await.expect_status(StatusCode::OK);
    assert_eq!(
        shown["properties"]["deliveryState"], "Paused",
        "the pause survives"
    );

    topic
        .owner
        .post(&format!("{sub}/resume"), json!({}))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(server.deliver_waiting().await.len(), 1);
    let got = hooks.wait_for("held", 1).await;
    assert_eq!(got[0].body["id"], "kept");
}

#[tokio::test]
async fn an_event_held_past_its_time_to_live_is_dead_lettered_on_resume_not_delivered() {
    let clock = e2e::manual_clock();
    let (_server, topic, hooks) = active_topic_on(Server::builder().clock(clock.clone())).await;
    let sub = topic
        .subscribe(
            "short",
            json!({
                "destination": e2e::webhook(&hooks.url("short")),
                "retryPolicy": {"maxDeliveryAttempts": 30, "eventTimeToLiveInMinutes": 5},
            }),
        )
        .await;
    topic
        .owner
        .post(&format!("{sub}/pause"), json!({}))
        .await
        .expect_status(StatusCode::OK);
    topic.publish_one("stale").await;
    quiet(1000).await;
    clock.advance(Duration::minutes(6));
    topic
        .owner
        .post(&format!("{sub}/resume"), json!({}))
        .await
        .expect_status(StatusCode::OK);
    let letters = topic.wait_for_dead_letters(&sub, 1).await;
    assert_eq!(
        letters[0]["deadletterreason"], "TimeToLiveExceeded",
        "{}",
        letters[0]
    );
    assert!(hooks.deliveries("short").is_empty());
}

#[tokio::test]
async fn pause_and_resume_are_the_owners_and_unknown_subscriptions_are_not_found() {
    let (_server, topic, hooks) = active_topic_on(Server::builder()).await;
    let sub = topic.subscribe_receiver(&hooks, "mine").await;
    let (status, _) = topic
        .tenants
        .partner
        .post(&format!("{sub}/pause"), json!({}))
        .await;
    assert!(
        status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
        "{status}"
    );
    let (status, body) = topic
        .owner
        .post(&format!("{}/pause", topic.subscription("nope")), json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _) = topic
        .tenants
        .partner
        .get(&format!("{sub}/deliveryAttempts"))
        .await;
    assert!(
        status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
        "{status}"
    );
}

#[tokio::test]
async fn the_log_lists_a_failed_attempt_then_the_delivery_of_an_event() {
    let clock = e2e::manual_clock();
    let (_server, topic, hooks) = active_topic_on(Server::builder().clock(clock.clone())).await;
    hooks.plan(
        "flaky",
        Plan::FailFirst {
            times: 1,
            status: 500,
        },
    );
    let sub = topic.subscribe_receiver(&hooks, "flaky").await;
    topic.publish_one("e1").await;
    hooks.wait_for("flaky", 1).await;
    topic.publish_one("other").await;
    hooks.wait_for("flaky", 2).await;
    let first = attempts_of(&topic.owner, &sub, "e1", 1).await;
    clock.advance(Duration::seconds(15));
    hooks.wait_for("flaky", 3).await;
    let log = attempts_of(&topic.owner, &sub, "e1", 2).await;
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(first[0], log[0]);

    let failed = &log[0];
    assert_eq!(failed["eventId"], "e1");
    assert_eq!(failed["deliveryCount"], 1);
    assert_eq!(failed["outcome"], "Aborted");
    assert_eq!(failed["httpStatusCode"], 500);
    assert_eq!(failed["responseBody"], "flaky answered 500");
    assert_eq!(failed["result"], "RetryScheduled");
    let retry_at = OffsetDateTime::parse(
        failed["retryAtUtc"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let at = OffsetDateTime::parse(
        failed["timeUtc"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let wait = retry_at - at;
    assert!(
        wait >= Duration::seconds(9) && wait <= Duration::seconds(11),
        "{wait}"
    );
    assert!(failed["durationMs"].is_u64());

    let delivered = &log[1];
    assert_eq!(delivered["deliveryCount"], 2);
    assert_eq!(delivered["outcome"], "Delivered");
    assert_eq!(delivered["httpStatusCode"], 200);
    assert_eq!(delivered["result"], "Delivered");
    assert!(delivered.get("responseBody").is_none(), "{delivered}");

    let everything = topic
        .owner
        .get(&format!("{sub}/deliveryAttempts"))
        .await
        .expect_status(StatusCode::OK);
    let ids: Vec<_> = everything["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["eventId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert!(ids.contains(&"other".to_owned()));
}

#[tokio::test]
async fn the_log_pages_with_top_and_next_link_and_starts_at_since() {
    let (_server, topic, hooks) = active_topic_on(Server::builder()).await;
    let sub = topic.subscribe_receiver(&hooks, "paged").await;
    for i in 0..5 {
        topic.publish_one(&format!("p{i}")).await;
    }
    hooks.wait_for("paged", 5).await;
    let mut seen = Vec::new();
    for _ in 0..100 {
        seen.clear();
        let mut path = format!("{sub}/deliveryAttempts?$top=2");
        loop {
            let page = topic.owner.get(&path).await.expect_status(StatusCode::OK);
            let value = page["value"].as_array().unwrap();
            assert!(value.len() <= 2, "{page}");
            seen.extend(
                value
                    .iter()
                    .map(|e| e["eventId"].as_str().unwrap().to_owned()),
            );
            match page["nextLink"].as_str() {
                Some(next) => path = next.to_owned(),
                None => break,
            }
        }
        if seen.len() == 5 {
            break;
        }
        quiet(50).await;
    }
    seen.sort();
    assert_eq!(seen, vec!["p0", "p1", "p2", "p3", "p4"]);

    let later = (OffsetDateTime::now_utc() + Duration::minutes(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let none = topic
        .owner
        .get(&format!("{sub}/deliveryAttempts?since={later}"))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(none["value"], json!([]), "{none}");

    let (status, body) = topic
        .owner
        .get(&format!("{sub}/deliveryAttempts?since=yesterday"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("RFC 3339"),
        "{body}"
    );
}

#[tokio::test]
async fn a_retry_that_comes_due_while_paused_is_held_and_delivered_on_resume() {
    let clock = e2e::manual_clock();
    let builder = Server::builder().clock(clock.clone()).paused();
    let (server, topic, hooks) = active_topic_on(builder).await;
    hooks.plan(
        "retried",
        Plan::FailFirst {
            times: 1,
            status: 500,
        },
    );
    let sub = topic.subscribe_receiver(&hooks, "retried").await;
    topic.publish_one("r1").await;
    server.fan_out().await;
    hooks.wait_for("retried", 1).await;
    topic
        .owner
        .post(&format!("{sub}/pause"), json!({}))
        .await
        .expect_status(StatusCode::OK);
    clock.advance(Duration::seconds(15));
    assert_eq!(
        server.deliver_waiting().await.len(),
        1,
        "the retry came due"
    );
    assert_eq!(hooks.deliveries("retried").len(), 1, "and was held");

    topic
        .owner
        .post(&format!("{sub}/resume"), json!({}))
        .await
        .expect_status(StatusCode::OK);
    server.deliver_waiting().await;
    let got = hooks.wait_for("retried", 2).await;
    assert_eq!(got[1].answered, 200);
    assert_eq!(
        got[1].header("aeg-delivery-count"),
        Some("1"),
        "its attempts kept"
    );
}
