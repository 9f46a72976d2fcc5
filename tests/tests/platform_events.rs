//! Platform events over HTTP: each customer subscription's system topic, subscribed to like any
//! topic, receives the lifecycle of its partner topics and the delivery problems of its
//! subscriptions.

use e2e::receiver::{Plan, Receiver};
use e2e::{Answer, CustomerTopic, Server, Tenants, contoso_event, eg, webhook};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn system_topic(sub: &str) -> String {
    format!(
        "{}/systemTopics/platform-events",
        eg(sub, "eventgrid-system")
    )
}

/// Subscribes receiver endpoint `name` to `sub`'s system topic as `client`.
async fn subscribe_to_platform(client: &e2e::Client, sub: &str, receiver: &Receiver, name: &str) {
    let path = format!("{}/eventSubscriptions/{name}", system_topic(sub));
    let body = json!({"properties": {"destination": webhook(&receiver.url(name))}});
    client
        .put(&path, body.clone())
        .await
        .expect_status(StatusCode::CREATED);
    let (status, _) = client.put(&path, body).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "a system topic subscription PUT is always 201"
    );
}

/// The platform events `name` accepted, waiting for at least `count`.
async fn types(receiver: &Receiver, name: &str, count: usize) -> Vec<Value> {
    for _ in 0..200 {
        let events = receiver.accepted_events(name);
        if events.len() >= count {
            return events;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "{name} got {:?}",
        receiver
            .accepted_events(name)
            .iter()
            .map(|e| e["type"].clone())
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn the_system_topic_is_the_customers_own_and_read_only() {
    let server = Server::start().await;
    let (customer, sub) = server.tenant("contoso").await;
    let topic = customer
        .get(&system_topic(&sub))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(topic["type"], "Microsoft.EventGrid/systemTopics");
    assert_eq!(topic["properties"]["topicType"], "PartnerEvents.Platform");
    assert_eq!(
        topic["properties"]["source"],
        format!("/subscriptions/{sub}")
    );
    let (_, listed) = customer
        .get(&format!(
            "/subscriptions/{sub}/providers/Microsoft.EventGrid/systemTopics"
        ))
        .await;
    assert_eq!(listed["value"].as_array().unwrap().len(), 1);
    let (_, elsewhere) = customer
        .get(&format!("{}/systemTopics", eg(&sub, "other-rg")))
        .await;
    assert_eq!(elsewhere["value"], json!([]));
    customer
        .assert_missing(&format!(
            "{}/systemTopics/another",
            eg(&sub, "eventgrid-system")
        ))
        .await;
    customer
        .put(&system_topic(&sub), json!({}))
        .await
        .expect_status(StatusCode::METHOD_NOT_ALLOWED);
    let (stranger, _) = server.tenant("stranger").await;
    let (status, _) = stranger.get(&system_topic(&sub)).await;
    assert!(matches!(
        status,
        StatusCode::NOT_FOUND | StatusCode::FORBIDDEN
    ));
}

#[tokio::test]
async fn a_partner_topics_lifecycle_reaches_the_customers_system_topic_subscriber() {
    let server = Server::start().await;
    let receiver = Receiver::start().await;
    let t = Tenants::new(&server, "SourceEventAttribute").await;
    subscribe_to_platform(&t.customer, &t.customer_sub, &receiver, "platform").await;

    let topic = t.orders_topic().await;
    t.activate(&topic).await;
    t.deactivate(&topic).await;
    t.customer.remove(&topic).await;

    let events = types(&receiver, "platform", 4).await;
    let of = |kind: &str| {
        events
            .iter()
            .find(|e| e["type"] == format!("PartnerEvents.PartnerTopic{kind}"))
            .unwrap_or_else(|| panic!("no {kind} event in {events:?}"))
    };
    let provisioned = of("Provisioned");
    assert_eq!(provisioned["source"], system_topic(&t.customer_sub));
    assert_eq!(provisioned["subject"], topic);
    assert_eq!(provisioned["specversion"], "1.0");
    assert_eq!(provisioned["data"]["activationState"], "NeverActivated");
    assert_eq!(
        provisioned["data"]["messageForActivation"],
        "Activate to receive orders"
    );
    assert_eq!(of("Activated")["data"]["activationState"], "Activated");
    assert_eq!(of("Deactivated")["data"]["activationState"], "Deactivated");
    assert_eq!(of("Deleted")["subject"], topic);
    assert_eq!(events.len(), 4, "one event per change: {events:?}");
}

#[tokio::test]
async fn a_subscriber_can_filter_platform_events_by_type() {
    let server = Server::start().await;
    let receiver = Receiver::start().await;
    let t = Tenants::new(&server, "SourceEventAttribute").await;
    t.customer
        .put(
            &format!("{}/eventSubscriptions/asked", system_topic(&t.customer_sub)),
            json!({"properties": {
                "destination": webhook(&receiver.url("asked")),
                "filter": {"includedEventTypes": ["PartnerEvents.PartnerTopicProvisioned"]}
            }}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    t.activate(&t.orders_topic().await).await;
    let events = types(&receiver, "asked", 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(receiver.accepted_events("asked").len(), 1);
    assert_eq!(events[0]["type"], "PartnerEvents.PartnerTopicProvisioned");
}

#[tokio::test]
async fn dead_letters_and_disabled_subscriptions_are_reported_on_the_system_topic() {
    let server = Server::start().await;
    let receiver = Receiver::start().await;
    receiver.plan("bad", Plan::Always(400));
    receiver.plan("gone", Plan::Always(410));
    let topic = CustomerTopic::create(&server, "contoso-problems").await;
    let sub = topic.path.split('/').nth(2).unwrap().to_owned();
    subscribe_to_platform(&topic.owner, &sub, &receiver, "platform").await;
    for name in ["bad", "gone"] {
        topic.subscribe_receiver(&receiver, name).await;
    }
    topic.publish(&json!([contoso_event("p1")])).await;

    let events = types(&receiver, "platform", 3).await;
    let mut kinds: Vec<(String, String)> = events
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap().to_owned(),
                e["subject"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            (
                "PartnerEvents.EventDeadLettered".to_owned(),
                "bad".to_owned()
            ),
            (
                "PartnerEvents.EventDeadLettered".to_owned(),
                "gone".to_owned()
            ),
            (
                "PartnerEvents.EventSubscriptionDisabled".to_owned(),
                "gone".to_owned()
            ),
        ]
    );
    let dead = events
        .iter()
        .find(|e| {
            e["type"] == "PartnerEvents.EventDeadLettered"
                && e["subject"].as_str().unwrap().ends_with("/bad")
        })
        .unwrap();
    assert_eq!(dead["data"]["eventIds"], json!(["p1"]));
    assert_eq!(
        dead["data"]["deadLetterReason"],
        "UndeliverableDueToHttpBadRequest"
    );
}
