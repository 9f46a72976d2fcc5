//! Signed deliveries over HTTP to real local receivers, each checked by the Standard Webhooks
//! reference library: opting in, secrets that a read never shows and a PUT keeps, the message
//! id across a retry, rotation and its 24-hour overlap on a manual clock, and partner
//! destinations signed with the secret their partner reads.

use e2e::receiver::{Plan, Receiver};
use e2e::signatures::{signatures, verify};
use e2e::{Answer, CustomerTopic, Server, Tenants, active_topic_on, contoso_event};
use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::ports::Clock;
use time::{Duration, OffsetDateTime};

fn signed(url: &str) -> Value {
    json!({"destination": {"endpointType": "WebHook", "properties": {
        "endpointUrl": url,
        "payloadSigning": {"scheme": "StandardWebhooks"}
    }}})
}

fn timestamp(delivery: &e2e::receiver::Delivery) -> i64 {
    delivery
        .header("webhook-timestamp")
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn signed_deliveries_verify_with_the_standard_webhooks_library() {
    let (_server, topic, hooks) = active_topic_on(Server::builder()).await;
    let sub = topic
        .subscribe("signed", signed(&hooks.url("signed")))
        .await;
    let plain = topic.subscribe_receiver(&hooks, "plain").await;
    topic.publish_one("e1").await;
    let got = hooks.wait_for("signed", 1).await;
    let secrets = topic
        .owner
        .action(&sub, "getSigningSecrets")
        .await
        .expect_status(StatusCode::OK);
    let secret = secrets["current"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"), "{secrets}");
    assert_eq!(secrets["previous"], Value::Null);
    assert_eq!(secrets["previousExpiresUtc"], Value::Null);
    assert_eq!(verify(secret, &got, None).await, ["ok"]);
    assert!(got[0].header("webhook-id").unwrap().starts_with("msg_"));
    assert_eq!(got[0].header("aeg-subscription-name"), Some("signed"));
    assert_eq!(got[0].header("aeg-delivery-count"), Some("0"));

    let mut tampered = got[0].clone();
    tampered.raw = tampered.raw.replace("e1", "e2");
    let other = verify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", &got, None).await;
    assert_ne!(other, ["ok"], "another secret does not verify");
    assert_ne!(verify(secret, &[tampered], None).await, ["ok"]);

    let unsigned = hooks.wait_for("plain", 1).await;
    assert_eq!(unsigned[0].header("webhook-signature"), None);
    topic
        .owner
        .action(&plain, "getSigningSecrets")
        .await
        .expect_error(StatusCode::BAD_REQUEST, "PayloadSigningNotEnabled");
    topic
        .owner
        .action(&plain, "rotateSigningSecret")
        .await
        .expect_error(StatusCode::BAD_REQUEST, "PayloadSigningNotEnabled");
}

#[tokio::test]
async fn a_read_never_shows_a_secret_a_put_keeps_them_and_turning_signing_off_removes_them() {
    let (server, topic, hooks) = active_topic_on(Server::builder().paused()).await;
    let sub = topic.subscription("signed");
    let mut body = signed(&hooks.url("signed"));
    body["destination"]["properties"]["payloadSigning"]["secrets"] =
        json!({"current": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"});
    let created = topic
        .owner
        .put(&sub, json!({ "properties": body }))
        .await
        .expect_status(StatusCode::CREATED);
    let first = topic
        .owner
        .action(&sub, "getSigningSecrets")
        .await
        .expect_status(StatusCode::OK);
    assert_ne!(
        first["current"], "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "a secret is never taken from a request"
    );
    let (_, read) = topic.owner.get(&sub).await;
    let (_, listed) = topic
        .owner
        .get(&format!("{}/eventSubscriptions", topic.path))
        .await;
    for shown in [&created, &read, &listed] {
        assert!(!shown.to_string().contains("whsec_"), "{shown}");
    }
    assert_eq!(
        read["properties"]["destination"]["properties"]["payloadSigning"],
        json!({"scheme": "StandardWebhooks"})
    );

    topic
        .owner
        .put(&sub, json!({"properties": signed(&hooks.url("signed"))}))
        .await
        .expect_status(StatusCode::OK);
    let echoed = json!({"destination": read["properties"]["destination"]});
    topic
        .owner
        .patch(&sub, echoed)
        .await
        .expect_status(StatusCode::CREATED);
    let kept = topic
        .owner
        .action(&sub, "getSigningSecrets")
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(
        kept, first,
        "a PUT or PATCH that keeps signing keeps the secrets"
    );

    topic
        .owner
        .put(
            &sub,
            json!({"properties": {"destination": e2e::webhook(&hooks.url("signed"))}}),
        )
        .await
        .expect_status(StatusCode::OK);
    topic
        .owner
        .action(&sub, "getSigningSecrets")
        .await
        .expect_error(StatusCode::BAD_REQUEST, "PayloadSigningNotEnabled");
    topic
        .owner
        .put(&sub, json!({"properties": signed(&hooks.url("signed"))}))
        .await
        .expect_status(StatusCode::OK);
    let fresh = topic
        .owner
        .action(&sub, "getSigningSecrets")
        .await
        .expect_status(StatusCode::OK);
    assert_ne!(
        fresh["current"], first["current"],
        "signing off removed them"
    );

    let mut unknown = signed(&hooks.url("signed"));
    unknown["destination"]["properties"]["payloadSigning"]["scheme"] = json!("HmacSha1");
    let refused = topic
        .owner
        .put(&sub, json!({ "properties": unknown }))
        .await
        .expect_error(StatusCode::BAD_REQUEST, "InvalidPayloadSigning");
    assert!(
        e2e::message(&refused).contains("StandardWebhooks"),
        "{refused}"
    );

    let stranger = server.tenant("stranger").await.0;
    let (status, _) = stranger.action(&sub, "getSigningSecrets").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = stranger.action(&sub, "rotateSigningSecret").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_message_id_stays_across_a_retry_while_the_timestamp_and_signature_change() {
    let clock = e2e::manual_clock();
    let (_server, topic, hooks) = active_topic_on(Server::builder().clock(clock.clone())).await;
    hooks.plan(
        "flaky",
        Plan::FailFirst {
            times: 1,
            status: 500,
        },
    );
    let sub = topic.subscribe("flaky", signed(&hooks.url("flaky"))).await;
    topic.publish_one("e1").await;
    hooks.wait_for("flaky", 1).await;
    topic.wait_for_failures(&sub, 1).await;
    clock.advance(Duration::seconds(12));
    let got = hooks.wait_for("flaky", 2).await;
    assert_eq!(got[1].answered, 200);
    assert_eq!(got[1].header("aeg-delivery-count"), Some("1"));
    assert_eq!(got[0].header("webhook-id"), got[1].header("webhook-id"));
    assert_eq!(got[0].raw, got[1].raw);
    assert!(timestamp(&got[1]) >= timestamp(&got[0]) + 10);
    assert_ne!(signatures(&got[0]), signatures(&got[1]));
    assert_eq!(timestamp(&got[0]), clock.now().unix_timestamp() - 12);
    let secret = topic
        .owner
        .action(&sub, "getSigningSecrets")
        .await
        .expect_status(StatusCode::OK)["current"]
        .as_str()
        .unwrap()
        .to_owned();
    for delivery in &got {
        let now = Some(timestamp(delivery));
        assert_eq!(
            verify(&secret, std::slice::from_ref(delivery), now).await,
            ["ok"]
        );
    }
}

#[tokio::test]
async fn a_rotation_signs_with_both_secrets_at_once_and_with_the_new_one_alone_after_24_hours() {
    let clock = e2e::manual_clock();
    let (_server, topic, hooks) = active_topic_on(Server::builder().clock(clock.clone())).await;
    let sub = topic.subscribe("rot", signed(&hooks.url("rot"))).await;
    topic.publish_one("before").await;
    hooks.wait_for("rot", 1).await;
    let old = topic
        .owner
        .action(&sub, "getSigningSecrets")
        .await
        .expect_status(StatusCode::OK)["current"]
        .clone();
    let rotated = topic
        .owner
        .action(&sub, "rotateSigningSecret")
        .await
        .expect_status(StatusCode::OK);
    let new = rotated["current"].as_str().unwrap();
    assert_ne!(rotated["current"], old);
    assert_eq!(rotated["previous"], old);
    let expires = OffsetDateTime::parse(
        rotated["previousExpiresUtc"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(expires, clock.now() + Duration::hours(24));
    let read = topic
        .owner
        .action(&sub, "getSigningSecrets")
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(read, rotated);

    topic.publish_one("during").await;
    let got = hooks.wait_for("rot", 2).await;
    let during = &got[1..2];
    assert_eq!(signatures(&during[0]).len(), 2, "{:?}", during[0].headers);
    let now = Some(clock.now().unix_timestamp());
    assert_eq!(verify(new, during, now).await, ["ok"]);
    assert_eq!(verify(old.as_str().unwrap(), during, now).await, ["ok"]);

    clock.advance(Duration::hours(24));
    topic.publish_one("after").await;
    let got = hooks.wait_for("rot", 3).await;
    let after = &got[2..3];
    assert_eq!(signatures(&after[0]).len(), 1);
    let now = Some(clock.now().unix_timestamp());
    assert_eq!(verify(new, after, now).await, ["ok"]);
    assert_ne!(verify(old.as_str().unwrap(), after, now).await, ["ok"]);
    let read = topic
        .owner
        .action(&sub, "getSigningSecrets")
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(
        read,
        json!({"current": new, "previous": null, "previousExpiresUtc": null})
    );
}

#[tokio::test]
async fn partner_destination_deliveries_are_signed_with_the_secret_the_partner_reads_and_rotates() {
    let server = Server::start().await;
    let t = Tenants::new(&server, "ChannelNameHeader").await;
    let receiver = Receiver::start().await;
    t.open_channel(
        "to-fabrikam",
        t.destination_channel_body("to-fabrikam", &receiver.url("partner")),
    )
    .await;
    let destination = t.destination("to-fabrikam");
    t.activate(&destination).await;
    let topic = CustomerTopic::create_as(t.customer.clone(), &t.customer_sub, "contoso-out").await;
    let to_partner = topic
        .subscribe(
            "to-partner",
            json!({"destination": {"endpointType": "PartnerDestination", "properties": {"resourceId": destination}}}),
        )
        .await;
    topic.publish(&json!([contoso_event("c1")])).await;
    let got = receiver.wait_for("partner", 1).await;

    let channel = t.channel("to-fabrikam");
    let secrets = t
        .partner
        .action(&channel, "getSigningSecrets")
        .await
        .expect_status(StatusCode::OK);
    let first = secrets["current"].as_str().unwrap().to_owned();
    assert_eq!(verify(&first, &got, None).await, ["ok"]);
    let (_, shown) = t.customer.get(&destination).await;
    let (_, channel_shown) = t.partner.get(&channel).await;
    for body in [&shown, &channel_shown] {
        assert!(!body.to_string().contains("whsec_"), "{body}");
    }
    let (status, _) = t.customer.action(&channel, "getSigningSecrets").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "only the partner reads them");
    t.customer
        .action(&to_partner, "getSigningSecrets")
        .await
        .expect_error(StatusCode::BAD_REQUEST, "PayloadSigningNotEnabled");
    t.partner
        .action(&t.channel("nope"), "getSigningSecrets")
        .await
        .expect_status(StatusCode::NOT_FOUND);

    let rotated = t
        .partner
        .action(&channel, "rotateSigningSecret")
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(rotated["previous"], first.as_str());
    topic.publish(&json!([contoso_event("c2")])).await;
    let got = receiver.wait_for("partner", 2).await;
    let next = &got[1..2];
    assert_eq!(signatures(&next[0]).len(), 2);
    assert_eq!(
        verify(rotated["current"].as_str().unwrap(), next, None).await,
        ["ok"]
    );
    assert_eq!(verify(&first, next, None).await, ["ok"]);
}
