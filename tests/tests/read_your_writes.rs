//! Read-your-writes over HTTP: every kind of management change is in force for the very next
//! publish, with the ingest and fan-out caches warm from a publish before the change and no
//! sleeps. The server's workers are paused so each test runs the fan-out itself and knows
//! every first attempt was made when it looks at the receiver.

use e2e::receiver::Receiver;
use e2e::{ActiveTopic, CustomerTopic, Server, contoso_event, order_event, webhook};
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
    let server = Server::start_paused().await;
    let topic = ActiveTopic::new(&server).await;
    let receiver = Receiver::start().await;
    topic
        .subscribe(
            "first",
            json!({"destination": webhook(&receiver.url("first"))}),
        )
        .await;
    topic
        .publish(&json!([order_event("warm", "Order.Created", json!({}))]))
        .await;
    server.fan_out().await;
    assert_eq!(ids_of(&receiver, "first"), ["warm"]);
    (server, topic, receiver)
}

#[tokio::test]
async fn an_event_published_right_after_a_subscription_put_reaches_it() {
    let (server, topic, receiver) = warm().await;
    topic
        .subscribe(
            "second",
            json!({"destination": webhook(&receiver.url("second"))}),
        )
        .await;
    topic
        .publish(&json!([order_event("next", "Order.Created", json!({}))]))
        .await;
    server.fan_out().await;
    assert_eq!(ids_of(&receiver, "second"), ["next"]);
    assert_eq!(ids_of(&receiver, "first"), ["warm", "next"]);
}

#[tokio::test]
async fn no_event_published_after_a_subscription_delete_goes_to_it() {
    let (server, topic, receiver) = warm().await;
    let (status, _) = topic
        .tenants
        .customer
        .delete(&topic.subscription("first"))
        .await;
    assert!(status.is_success());
    topic
        .publish(&json!([order_event("next", "Order.Created", json!({}))]))
        .await;
    server.fan_out().await;
    assert_eq!(ids_of(&receiver, "first"), ["warm"]);
}

#[tokio::test]
async fn events_published_after_an_endpoint_or_filter_change_follow_the_new_settings() {
    let (server, topic, receiver) = warm().await;
    let (status, body) = topic
        .tenants
        .customer
        .patch(
            &topic.subscription("first"),
            json!({"destination": webhook(&receiver.url("moved"))}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    topic
        .publish(&json!([order_event("moved", "Order.Created", json!({}))]))
        .await;
    server.fan_out().await;
    assert_eq!(ids_of(&receiver, "first"), ["warm"]);
    assert_eq!(ids_of(&receiver, "moved"), ["moved"]);

    let (status, body) = topic
        .tenants
        .customer
        .patch(
            &topic.subscription("first"),
            json!({"filter": {"includedEventTypes": ["Order.Shipped"]}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
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
    let path = topic.tenants.topic("orders-topic");
    let events = json!([order_event("after", "Order.Created", json!({}))]);
    let (status, _) = topic
        .tenants
        .customer
        .post(&format!("{path}/deactivate"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = topic.publish_with(&topic.key, &events).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("PartnerTopicNotActivated"))
    );
    assert!(
        server.drain_published().await.is_empty(),
        "nothing was queued"
    );

    let (status, _) = topic
        .tenants
        .customer
        .post(&format!("{path}/activate"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        topic.publish_with(&topic.key, &events).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_regenerated_key_is_refused_and_its_successor_accepted_at_once() {
    let (_server, topic, _receiver) = warm().await;
    let events = json!([order_event("after", "Order.Created", json!({}))]);
    let (_, keys) = topic
        .tenants
        .partner
        .post(
            &format!("{}/regenerateKey", topic.tenants.namespace),
            json!({"keyName": "key1"}),
        )
        .await;
    let (status, body) = topic.publish_with(&topic.key, &events).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("InvalidSasKey"))
    );
    let new_key = keys["key1"].as_str().unwrap();
    assert_eq!(topic.publish_with(new_key, &events).await.0, StatusCode::OK);
}

#[tokio::test]
async fn network_rules_and_disable_local_auth_apply_to_the_next_publish() {
    let (_server, topic, _receiver) = warm().await;
    let events = json!([order_event("after", "Order.Created", json!({}))]);
    let namespace = &topic.tenants.namespace;
    let patch = |properties: Value| {
        let partner = topic.tenants.partner.clone();
        async move {
            let (status, body) = partner
                .patch(namespace, json!({ "properties": properties }))
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
    };
    patch(json!({"inboundIpRules": [{"ipMask": "10.0.0.0/8", "action": "Allow"}]})).await;
    let (status, body) = topic.publish_with(&topic.key, &events).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("IpAddressRejected"))
    );
    patch(json!({"inboundIpRules": []})).await;
    assert_eq!(
        topic.publish_with(&topic.key, &events).await.0,
        StatusCode::OK
    );
    patch(json!({"disableLocalAuth": true})).await;
    let (status, body) = topic.publish_with(&topic.key, &events).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("LocalAuthDisabled"))
    );
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
    let events = json!([order_event("after", "Order.Created", json!({}))]);
    let (status, body) = topic.publish_with(&topic.key, &events).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("NoChannelForSource"))
    );
    assert!(server.drain_published().await.is_empty());
}

#[tokio::test]
async fn a_customer_topic_applies_key_and_subscription_changes_to_the_next_publish() {
    let server = Server::start_paused().await;
    let topic = CustomerTopic::create(&server, "contoso-orders").await;
    let receiver = Receiver::start().await;
    let subscription = |name: &str| format!("{}/eventSubscriptions/{name}", topic.path);
    let (status, body) = topic
        .owner
        .put(
            &subscription("first"),
            json!({"properties": {"destination": webhook(&receiver.url("first"))}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    topic.publish_ok(&json!([contoso_event("warm")])).await;
    server.fan_out().await;

    let (status, body) = topic
        .owner
        .put(
            &subscription("second"),
            json!({"properties": {"destination": webhook(&receiver.url("second"))}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    topic.publish_ok(&json!([contoso_event("next")])).await;
    server.fan_out().await;
    assert_eq!(ids_of(&receiver, "second"), ["next"]);

    let old = topic.keys().await["key2"].as_str().unwrap().to_owned();
    let (status, _) = topic
        .owner
        .post(
            &format!("{}/regenerateKey", topic.path),
            json!({"keyName": "key2"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, text) = topic
        .publish(("aeg-sas-key", &old), &json!([contoso_event("stale")]))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{text}");
}
