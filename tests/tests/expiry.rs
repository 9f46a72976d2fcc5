//! Time-driven rules over HTTP, on a server whose clock the test moves: authorizations that
//! expire, and partner topics and destinations never activated by their deadline.

use std::sync::Arc;

use e2e::{Server, Tenants};
use reqwest::StatusCode;
use serde_json::json;
use shared::ports::ManualClock;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

async fn server_with_clock() -> (Server, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
    (Server::start_with_clock(clock.clone()).await, clock)
}

#[tokio::test]
async fn an_expired_authorization_blocks_creating_updating_and_deleting_channels() {
    let (server, clock) = server_with_clock().await;
    let t = Tenants::new(&server, "SourceEventAttribute").await;
    assert_eq!(
        t.partner
            .put(&t.channel("live"), t.channel_body("live-topic", "s"))
            .await
            .0,
        StatusCode::CREATED
    );
    assert_eq!(
        t.customer
            .post(&format!("{}/activate", t.topic("live-topic")), json!({}))
            .await
            .0,
        StatusCode::OK
    );
    clock.advance(Duration::days(8));

    let (status, body) = t
        .partner
        .put(&t.channel("late"), t.channel_body("late-topic", "s2"))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("PartnerNotAuthorized")),
        "{body}"
    );
    let patch = json!({"properties": {"partnerTopicInfo": {"eventTypeInfo": {"kind": "Inline"}}}});
    let (status, body) = t.partner.patch(&t.channel("live"), patch.clone()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("PartnerNotAuthorized")),
        "{body}"
    );
    let (status, body) = t.partner.delete(&t.channel("live")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("PartnerNotAuthorized")),
        "{body}"
    );

    let (status, _) = t
        .customer
        .post(
            &format!("{}/authorizePartner", t.config),
            json!({"partnerName": format!("reg-{}", &t.partner_sub[..8])}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
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
    let deadline = (OffsetDateTime::now_utc() + Duration::hours(1))
        .format(&Rfc3339)
        .unwrap();
    let mut body = t.channel_body("short-lived", "s");
    body["properties"]["expirationTimeIfNotActivatedUtc"] = json!(deadline);
    assert_eq!(
        t.partner.put(&t.channel("brief"), body).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        t.partner
            .put(
                &t.channel("kept"),
                t.channel_body("activated-in-time", "s2")
            )
            .await
            .0,
        StatusCode::CREATED
    );
    assert_eq!(
        t.customer
            .post(
                &format!("{}/activate", t.topic("activated-in-time")),
                json!({})
            )
            .await
            .0,
        StatusCode::OK
    );

    clock.advance(Duration::minutes(61));
    assert_eq!(
        t.customer.get(&t.topic("short-lived")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.customer
            .post(&format!("{}/activate", t.topic("short-lived")), json!({}))
            .await
            .0,
        StatusCode::NOT_FOUND,
        "activate after expiry is 404"
    );
    assert_eq!(
        t.partner.get(&t.channel("brief")).await.0,
        StatusCode::NOT_FOUND
    );
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
    assert_eq!(
        t.customer.get(&t.topic("activated-in-time")).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_deadline_must_be_in_the_future() {
    let (server, _) = server_with_clock().await;
    let t = Tenants::new(&server, "SourceEventAttribute").await;
    let mut body = t.channel_body("topic-a", "s");
    body["properties"]["expirationTimeIfNotActivatedUtc"] = json!("2001-01-01T00:00:00Z");
    let (status, answer) = t.partner.put(&t.channel("past"), body).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("InvalidExpirationTimeIfNotActivated")
        )
    );
}

#[tokio::test]
async fn a_destination_never_activated_by_its_deadline_is_gone_with_its_channel() {
    let (server, clock) = server_with_clock().await;
    let t = Tenants::new(&server, "ChannelNameHeader").await;
    let destination_body = |name: &str| {
        json!({"properties": {
            "channelType": "PartnerDestination",
            "expirationTimeIfNotActivatedUtc": (OffsetDateTime::now_utc() + Duration::hours(1)).format(&Rfc3339).unwrap(),
            "partnerDestinationInfo": {
                "azureSubscriptionId": t.customer_sub, "resourceGroupName": "customer-rg", "name": name,
                "endpointType": "WebHook", "properties": {"endpointUrl": "https://partner.example/hook"}
            }
        }})
    };
    let destination = |name: &str| {
        format!(
            "{}/partnerDestinations/{name}",
            e2e::eg(&t.customer_sub, "customer-rg")
        )
    };
    for name in ["brief-dest", "kept-dest"] {
        let (status, body) = t
            .partner
            .put(&t.channel(name), destination_body(name))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, _) = t
        .customer
        .post(&format!("{}/activate", destination("kept-dest")), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);

    clock.advance(Duration::minutes(61));
    assert_eq!(
        t.customer.get(&destination("brief-dest")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.customer
            .post(
                &format!("{}/activate", destination("brief-dest")),
                json!({})
            )
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.partner.get(&t.channel("brief-dest")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.customer.get(&destination("kept-dest")).await.0,
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
    let (status, _) = t
        .customer
        .put(
            &system_topic,
            json!({"properties": {
                "destination": e2e::webhook(&receiver.url("expiries")),
                "filter": {"includedEventTypes": ["PartnerEvents.PartnerTopicExpired"]}
            }}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let mut body = t.channel_body("short-lived", "s");
    body["properties"]["expirationTimeIfNotActivatedUtc"] = json!(
        (OffsetDateTime::now_utc() + Duration::hours(1))
            .format(&Rfc3339)
            .unwrap()
    );
    assert_eq!(
        t.partner.put(&t.channel("brief"), body).await.0,
        StatusCode::CREATED
    );
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
