//! Retries, dead letters and redelivery over HTTP to real local receivers, on a manual clock
//! where timing matters: the schedule, Retry-After, attempts and time to live running out,
//! client errors, redelivery, and 410 disabling a subscription.

use std::time::Duration as StdDuration;

use e2e::receiver::Plan;
use e2e::{Answer, Server, active_topic_on, ids, order_event, webhook};
use reqwest::StatusCode;
use serde_json::json;
use shared::ports::Clock;
use time::Duration;

async fn quiet(ms: u64) {
    tokio::time::sleep(StdDuration::from_millis(ms)).await;
}

#[tokio::test]
async fn a_failing_endpoint_is_retried_on_event_grids_schedule() {
    let clock = e2e::manual_clock();
    let (_server, topic, hooks) = active_topic_on(Server::builder().clock(clock.clone())).await;
    hooks.plan(
        "flaky",
        Plan::FailFirst {
            times: 2,
            status: 500,
        },
    );
    let sub = topic.subscribe_receiver(&hooks, "flaky").await;
    topic.publish_one("e1").await;
    hooks.wait_for("flaky", 1).await;
    topic.wait_for_failures(&sub, 1).await;

    clock.advance(Duration::seconds(8));
    quiet(1500).await;
    assert_eq!(hooks.deliveries("flaky").len(), 1, "not before 9 s");
    clock.advance(Duration::seconds(4));
    let got = hooks.wait_for("flaky", 2).await;
    assert_eq!(got[1].header("aeg-delivery-count"), Some("1"));
    topic.wait_for_failures(&sub, 2).await;

    clock.advance(Duration::seconds(20));
    quiet(1500).await;
    assert_eq!(
        hooks.deliveries("flaky").len(),
        2,
        "the second wait is 30 s"
    );
    clock.advance(Duration::seconds(14));
    let got = hooks.wait_for("flaky", 3).await;
    assert_eq!(got[2].header("aeg-delivery-count"), Some("2"));
    assert_eq!(got[2].answered, 200);

    quiet(1500).await;
    let stats = topic
        .owner
        .get(&format!("{sub}/deliveryStats"))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(stats["deliveredEvents"], 1, "{stats}");
    assert_eq!(stats["failedAttempts"], 2, "{stats}");
    assert_eq!(stats["deadLetteredEvents"], 0, "{stats}");
    assert_eq!(stats["lastError"]["outcome"], "Aborted", "{stats}");
    assert_eq!(stats["lastError"]["httpStatusCode"], 500, "{stats}");
    assert!(stats["lastSuccessTimeUtc"].is_string(), "{stats}");
}

#[tokio::test]
async fn retry_after_on_a_429_sets_the_earliest_retry() {
    let clock = e2e::manual_clock();
    let (_server, topic, hooks) = active_topic_on(Server::builder().clock(clock.clone())).await;
    hooks.plan(
        "busy",
        Plan::RetryAfter {
            times: 1,
            status: 429,
            seconds: 60,
        },
    );
    let busy = topic.subscribe_receiver(&hooks, "busy").await;
    topic.publish_one("e1").await;
    hooks.wait_for("busy", 1).await;
    topic.wait_for_failures(&busy, 1).await;
    clock.advance(Duration::seconds(15));
    quiet(1500).await;
    assert_eq!(
        hooks.deliveries("busy").len(),
        1,
        "Retry-After 60 s is a floor"
    );
    clock.advance(Duration::seconds(46));
    let got = hooks.wait_for("busy", 2).await;
    assert_eq!(got[1].answered, 200);
}

#[tokio::test]
async fn attempts_and_time_to_live_running_out_dead_letter_with_event_grids_fields() {
    let clock = e2e::manual_clock();
    let (_server, topic, hooks) = active_topic_on(Server::builder().clock(clock.clone())).await;
    hooks.plan("attempts", Plan::Always(503));
    hooks.plan("ttl", Plan::Always(500));
    let by_attempts = topic
        .subscribe(
            "attempts",
            json!({"destination": webhook(&hooks.url("attempts")),
                   "retryPolicy": {"maxDeliveryAttempts": 2}}),
        )
        .await;
    let by_ttl = topic
        .subscribe(
            "ttl",
            json!({"destination": webhook(&hooks.url("ttl")),
                   "retryPolicy": {"eventTimeToLiveInMinutes": 1}}),
        )
        .await;
    let published = clock.now();
    topic.publish_one("e1").await;
    hooks.wait_for("attempts", 1).await;
    hooks.wait_for("ttl", 1).await;
    topic.wait_for_failures(&by_attempts, 1).await;
    topic.wait_for_failures(&by_ttl, 1).await;
    clock.advance(Duration::seconds(12));
    hooks.wait_for("attempts", 2).await;
    let letters = topic.wait_for_dead_letters(&by_attempts, 1).await;
    let letter = &letters[0];
    assert_eq!(letter["id"], "e1");
    assert_eq!(letter["deadletterreason"], "MaxDeliveryAttemptsExceeded");
    assert_eq!(letter["deliveryattempts"], 2);
    assert_eq!(letter["lastdeliveryoutcome"], "Busy");
    assert_eq!(letter["lasthttpstatuscode"], 503);
    assert_eq!(
        letter["publishtime"],
        shared::time_format::rfc3339(published)
    );
    assert!(letter["lastdeliveryattempttime"].is_string());
    assert!(letter["deadletterid"].is_string());

    hooks.wait_for("ttl", 2).await;
    topic.wait_for_failures(&by_ttl, 2).await;
    clock.advance(Duration::seconds(34));
    hooks.wait_for("ttl", 3).await;
    let letters = topic.wait_for_dead_letters(&by_ttl, 1).await;
    assert_eq!(letters[0]["deadletterreason"], "TimeToLiveExceeded");
    assert_eq!(letters[0]["deliveryattempts"], 3);
    assert_eq!(letters[0]["lastdeliveryoutcome"], "Aborted");
    quiet(1500).await;
    let (_, stats) = topic.owner.get(&format!("{by_ttl}/deliveryStats")).await;
    assert_eq!(stats["failedAttempts"], 3, "{stats}");
    assert_eq!(stats["deadLetteredEvents"], 1, "{stats}");
}

#[tokio::test]
async fn a_client_error_dead_letters_at_once_and_redelivery_sends_it_again() {
    let (_server, topic, hooks) = active_topic_on(Server::builder()).await;
    hooks.plan("strict", Plan::Always(400));
    let sub = topic.subscribe_receiver(&hooks, "strict").await;
    topic
        .publish(&json!([
            order_event("e1", "Order.Created", json!({"n": 1})),
            order_event("e2", "Order.Created", json!({"n": 2})),
            order_event("e3", "Order.Created", json!({"n": 3})),
        ]))
        .await;
    hooks.wait_for("strict", 3).await;
    let letters = topic.wait_for_dead_letters(&sub, 3).await;
    assert_eq!(ids(&letters), ["e1", "e2", "e3"]);
    for letter in &letters {
        assert_eq!(
            letter["deadletterreason"],
            "UndeliverableDueToHttpBadRequest"
        );
        assert_eq!(letter["deliveryattempts"], 1);
        assert_eq!(letter["lastdeliveryoutcome"], "BadRequest");
        assert_eq!(letter["lasthttpstatuscode"], 400);
        assert_eq!(
            letter["source"], "fabrikam/orders",
            "the event itself is kept"
        );
    }
    quiet(300).await;
    assert_eq!(hooks.deliveries("strict").len(), 3, "a 400 is not retried");

    hooks.plan("strict", Plan::Ok);
    let by_dead_letter_id = letters
        .iter()
        .find(|l| l["id"] == "e1")
        .map(|l| l["deadletterid"].clone())
        .unwrap();
    let body = topic
        .owner
        .post(
            &format!("{sub}/redeliverDeadLetters"),
            json!({"ids": [by_dead_letter_id, "e2"]}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(body["redelivered"], 2);
    hooks.wait_for("strict", 5).await;
    assert_eq!(ids(&hooks.accepted_events("strict")), ["e1", "e2"]);
    let left = topic.dead_letters(&sub).await;
    assert_eq!(ids(&left), ["e3"]);

    let body = topic
        .owner
        .action(&sub, "redeliverDeadLetters")
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(body["redelivered"], 1);
    hooks.wait_for("strict", 6).await;
    assert_eq!(ids(&hooks.accepted_events("strict")), ["e1", "e2", "e3"]);
    assert!(topic.dead_letters(&sub).await.is_empty());

    topic
        .owner
        .post(&format!("{sub}/redeliverDeadLetters"), json!({"id": "x"}))
        .await
        .expect_error(StatusCode::BAD_REQUEST, "InvalidRequestContent");
}

#[tokio::test]
async fn a_gone_endpoint_disables_its_subscription_until_it_is_updated() {
    let (_server, topic, hooks) = active_topic_on(Server::builder()).await;
    hooks.plan("gone", Plan::Always(410));
    let sub = topic.subscribe_receiver(&hooks, "gone").await;
    topic.publish_one("e1").await;
    hooks.wait_for("gone", 1).await;
    let letters = topic.wait_for_dead_letters(&sub, 1).await;
    assert_eq!(letters[0]["deadletterreason"], "EndpointGone");
    let (_, got) = topic.owner.get(&sub).await;
    assert_eq!(got["properties"]["deliveryState"], "Disabled", "{got}");

    topic.publish_one("e2").await;
    quiet(800).await;
    assert_eq!(
        hooks.deliveries("gone").len(),
        1,
        "a disabled subscription gets nothing"
    );

    hooks.plan("gone", Plan::Ok);
    let got = topic
        .owner
        .patch(&sub, json!({"labels": ["fixed"]}))
        .await
        .expect_status(StatusCode::CREATED);
    assert_eq!(got["properties"]["deliveryState"], "Enabled");
    quiet(5200).await;
    topic.publish_one("e3").await;
    hooks.wait_for("gone", 2).await;
    assert_eq!(ids(&hooks.accepted_events("gone")), ["e3"]);
}
