//! Time-driven rules over HTTP, on a server whose clock the test moves: authorizations that
//! expire, and partner topics and destinations never activated by their deadline.

use std::sync::Arc;

use e2e::{Answer, Server, Tenants, from_now};
use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::ports::ManualClock;
use time::{Duration, OffsetDateTime};

async fn server_with_clock() -> (Server, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
    (Server::builder().clock(clock.clone()).start().await, clock)
}

/// `channel` with a deadline for activation an hour from now.
fn expiring(mut channel: Value) -> Value {
    channel["properties"]["expirationTimeIfNotActivatedUtc"] = json!(from_now(Duration::hours(1)));
    channel
}

#[tokio::test]
async fn an_expired_authorization_blocks_creating_updating_and_deleting_channels() {
    let (server, clock) = server_with_clock().await;
    let t = Tenants::new(&server, "SourceEventAttribute").await;
    t.activated_topic("live", "live-topic", "s").await;
    clock.advance(Duration::days(8));

    let forbidden = StatusCode::FORBIDDEN;
    t.partner
        .put(&t.channel("late"), t.channel_body("late-topic", "s2"))
        .await
        .expect_error(forbidden, "PartnerNotAuthorized");
    let patch = json!({"properties": {"partnerTopicInfo": {"eventTypeInfo": {"kind": "Inline"}}}});
    t.partner
        .patch(&t.channel("live"), patch.clone())
        .await
        .expect_error(forbidden, "PartnerNotAuthorized");
    t.partner
        .delete(&t.channel("live"))
        .await
        .expect_error(forbidden, "PartnerNotAuthorized");

    t.authorize().await;
    assert_eq!(
        t.partner.patch(&t.channel("live"), patch).await.0,
        StatusCode::OK,
        "renewing the authorization unblocks the partner"
    );
}

#[tokio::test]
async fn a_topic_never_activated_by_its_deadline_is_gone_with_its_channel() {
    let (server, clock) = server_with_clock().await;
    let t = Tenants::new(&server, "SourceEventAttribute").await;
    t.open_channel("brief", expiring(t.channel_body("short-lived", "s")))
        .await;
    let kept = t.activated_topic("kept", "activated-in-time", "s2").await;

    clock.advance(Duration::minutes(61));
    let short_lived = t.topic("short-lived");
    t.customer.assert_missing(&short_lived).await;
    assert_eq!(
        t.customer.action(&short_lived, "activate").await.0,
        StatusCode::NOT_FOUND,
        "activate after expiry is 404"
    );
    t.partner.assert_missing(&t.channel("brief")).await;
    let (_, topics) = t
        .customer
        .get(&format!(
            "{}/partnerTopics",
            e2e::eg(&t.customer_sub, "customer-rg")
        ))
        .await;
    let names: Vec<&str> = topics["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["activated-in-time"],
        "an activated topic never expires"
    );

    let (status, body) = t
        .partner
        .put(&t.channel("brief"), t.channel_body("short-lived", "s"))
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the expired names and source are free again: {body}"
    );
    clock.advance(Duration::days(30));
    t.customer.get(&kept).await.expect_status(StatusCode::OK);
}

#[tokio::test]
async fn a_deadline_must_be_in_the_future() {
    let (server, _) = server_with_clock().await;
    let t = Tenants::new(&server, "SourceEventAttribute").await;
    let mut body = t.channel_body("topic-a", "s");
    body["properties"]["expirationTimeIfNotActivatedUtc"] = json!("2001-01-01T00:00:00Z");
    t.partner.put(&t.channel("past"), body).await.expect_error(
        StatusCode::BAD_REQUEST,
        "InvalidExpirationTimeIfNotActivated",
    );
}

#[tokio::test]
async fn a_destination_never_activated_by_its_deadline_is_gone_with_its_channel() {
    let (server, clock) = server_with_clock().await;
    let t = Tenants::new(&server, "ChannelNameHeader").await;
    for name in ["brief-dest", "kept-dest"] {
        let body = t.destination_channel_body(name, "https://partner.example/hook");
        t.open_channel(name, expiring(body)).await;
    }
    t.activate(&t.destination("kept-dest")).await;

    clock.advance(Duration::minutes(61));
    let brief = t.destination("brief-dest");
    t.customer.assert_missing(&brief).await;
    t.customer
        .action(&brief, "activate")
        .await
        .expect_status(StatusCode::NOT_FOUND);
    t.partner.assert_missing(&t.channel("brief-dest")).await;
    assert_eq!(
        t.customer.get(&t.destination("kept-dest")).await.0,
        StatusCode::OK,
        "an activated destination never expires"
    );
}

#[tokio::test]
async fn an_expiry_is_reported_on_the_customers_system_topic_when_swept() {
    let (server, clock) = server_with_clock().await;
    let receiver = e2e::receiver::Receiver::start().await;
    let t = Tenants::new(&server, "SourceEventAttribute").await;
    let system_topic = format!(
        "{}/systemTopics/platform-events/eventSubscriptions/expiries",
        e2e::eg(&t.customer_sub, "eventgrid-system")
    );
    t.customer
        .put(
            &system_topic,
            json!({"properties": {
                "destination": e2e::webhook(&receiver.url("expiries")),
                "filter": {"includedEventTypes": ["PartnerEvents.PartnerTopicExpired"]}
            }}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    t.open_channel("brief", expiring(t.channel_body("short-lived", "s")))
        .await;
    clock.advance(Duration::minutes(61));
    shared::usecases::flows::expiry::sweep(&server.app.ports, 100)
        .await
        .unwrap();
    shared::usecases::flows::relay::relay(
        &server.app.ports,
        server.app.fanout.as_ref(),
        usize::MAX,
    )
    .await
    .unwrap();
    let got = receiver.wait_for("expiries", 1).await;
    let event = &got[0].events()[0];
    assert_eq!(event["type"], "PartnerEvents.PartnerTopicExpired");
    assert_eq!(event["subject"], t.topic("short-lived"));
}
