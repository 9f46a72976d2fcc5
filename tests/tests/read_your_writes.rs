//! Read-your-writes over HTTP: every kind of management change is in force for the very next
//! publish, with the ingest and fan-out caches warm from a publish before the change and no
//! sleeps. The server's workers are paused so each test runs the fan-out itself and knows
//! every first attempt was made when it looks at the receiver.

use e2e::receiver::Receiver;
use e2e::{
    ActiveTopic, Answer, CustomerTopic, Server, active_topic_on, contoso_event, order_event,
    webhook,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn ids_of(receiver: &Receiver, name: &str) -> Vec<String> {
    receiver
        .deliveries(name)
        .iter()
        .flat_map(|d| d.events())
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

/// A paused server with an activated partner topic, a receiver, and subscription `first`
/// that has already received event `warm` (so every cache is loaded).
async fn warm() -> (Server, ActiveTopic, Receiver) {
    let (server, topic, receiver) = active_topic_on(Server::builder().paused()).await;
    topic.subscribe_receiver(&receiver, "first").await;
    topic.publish_one("warm").await;
    server.fan_out().await;
    assert_eq!(ids_of(&receiver, "first"), ["warm"]);
    (server, topic, receiver)
}

/// One event published after a change.
fn after() -> Value {
    json!([order_event("after", "Order.Created", json!({}))])
}

#[tokio::test]
async fn an_event_published_right_after_a_subscription_put_reaches_it() {
    let (server, topic, receiver) = warm().await;
    topic.subscribe_receiver(&receiver, "second").await;
    topic.publish_one("next").await;
    server.fan_out().await;
    assert_eq!(ids_of(&receiver, "second"), ["next"]);
    assert_eq!(ids_of(&receiver, "first"), ["warm", "next"]);
}

#[tokio::test]
async fn no_event_published_after_a_subscription_delete_goes_to_it() {
    let (server, topic, receiver) = warm().await;
    let (status, _) = topic.owner.delete(&topic.subscription("first")).await;
    assert!(status.is_success());
    topic.publish_one("next").await;
    server.fan_out().await;
    assert_eq!(ids_of(&receiver, "first"), ["warm"]);
}

#[tokio::test]
async fn events_published_after_an_endpoint_or_filter_change_follow_the_new_settings() {
    let (server, topic, receiver) = warm().await;
    let first = topic.subscription("first");
    topic
        .owner
        .patch(
            &first,
            json!({"destination": webhook(&receiver.url("moved"))}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    topic.publish_one("moved").await;
    server.fan_out().await;
    assert_eq!(ids_of(&receiver, "first"), ["warm"]);
    assert_eq!(ids_of(&receiver, "moved"), ["moved"]);

    topic
        .owner
        .patch(
            &first,
            json!({"filter": {"includedEventTypes": ["Order.Shipped"]}}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    topic
        .publish(&json!([
            order_event("created", "Order.Created", json!({})),
            order_event("shipped", "Order.Shipped", json!({}))
        ]))
        .await;
    server.fan_out().await;
    assert_eq!(ids_of(&receiver, "moved"), ["moved", "shipped"]);
}

#[tokio::test]
async fn deactivate_and_activate_apply_to_the_next_publish() {
    let (server, topic, _receiver) = warm().await;
    let events = after();
    topic.tenants.deactivate(&topic.path).await;
    topic
        .publish_with(&topic.key, &events)
        .await
        .expect_error(StatusCode::FORBIDDEN, "PartnerTopicNotActivated");
    assert!(
        server.drain_published().await.is_empty(),
        "nothing was queued"
    );
    topic.tenants.activate(&topic.path).await;
    topic
        .publish_with(&topic.key, &events)
        .await
        .expect_status(StatusCode::OK);
}

#[tokio::test]
async fn a_regenerated_key_is_refused_and_its_successor_accepted_at_once() {
    let (_server, topic, _receiver) = warm().await;
    let events = after();
    let new_key = topic.regenerate_key().await;
    topic
        .publish_with(&topic.key, &events)
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "InvalidSasKey");
    topic
        .publish_with(&new_key, &events)
        .await
        .expect_status(StatusCode::OK);
}

#[tokio::test]
async fn network_rules_and_disable_local_auth_apply_to_the_next_publish() {
    let (_server, topic, _receiver) = warm().await;
    let events = after();
    let namespace = &topic.tenants.namespace;
    let patch = |properties: Value| {
        let partner = topic.tenants.partner.clone();
        async move {
            partner
                .patch(namespace, json!({ "properties": properties }))
                .await
                .expect_status(StatusCode::OK);
        }
    };
    patch(json!({"inboundIpRules": [{"ipMask": "10.0.0.0/8", "action": "Allow"}]})).await;
    topic
        .publish_with(&topic.key, &events)
        .await
        .expect_error(StatusCode::FORBIDDEN, "IpAddressRejected");
    patch(json!({"inboundIpRules": []})).await;
    topic
        .publish_with(&topic.key, &events)
        .await
        .expect_status(StatusCode::OK);
    patch(json!({"disableLocalAuth": true})).await;
    topic
        .publish_with(&topic.key, &events)
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "LocalAuthDisabled");
}

#[tokio::test]
async fn a_deleted_channel_routes_nothing_from_the_next_publish() {
    let (server, topic, _receiver) = warm().await;
    let (status, _) = topic
        .tenants
        .partner
        .delete(&topic.tenants.channel("orders"))
        .await;
    assert!(status.is_success());
    topic
        .publish_with(&topic.key, &after())
        .await
        .expect_error(StatusCode::BAD_REQUEST, "NoChannelForSource");
    assert!(server.drain_published().await.is_empty());
}

#[tokio::test]
async fn a_customer_topic_applies_key_and_subscription_changes_to_the_next_publish() {
    let server = Server::builder().paused().start().await;
    let topic = CustomerTopic::create(&server, "contoso-orders").await;
    let receiver = Receiver::start().await;
    topic.subscribe_receiver(&receiver, "first").await;
    topic.publish(&json!([contoso_event("warm")])).await;
    server.fan_out().await;

    topic.subscribe_receiver(&receiver, "second").await;
    topic.publish(&json!([contoso_event("next")])).await;
    server.fan_out().await;
    assert_eq!(ids_of(&receiver, "second"), ["next"]);

    let old = topic.key("key2").await;
    topic
        .owner
        .post(
            &format!("{}/regenerateKey", topic.path),
            json!({"keyName": "key2"}),
        )
        .await
        .expect_status(StatusCode::OK);
    topic
        .publish_with(&old, &json!([contoso_event("stale")]))
        .await
        .expect_status(StatusCode::UNAUTHORIZED);
}
