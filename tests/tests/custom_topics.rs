//! Customer topics over HTTP: the resource and its keys, publishing with the same data plane as
//! partner namespaces, and subscriptions on them delivered like partner topics' ones.

use e2e::receiver::{Plan, Receiver};
use e2e::{Answer, CustomerTopic as Topic, Server, contoso_event, eg, ids, message, webhook};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_topic_is_created_with_an_endpoint_and_keys_listed_and_rotated_by_its_owner_only() {
    let server = Server::start().await;
    let topic = Topic::create(&server, "contoso-orders").await;
    assert_eq!(
        topic.publisher.url,
        format!("{}/topics/contoso-orders/api/events", server.base)
    );
    let body = topic
        .owner
        .get(&topic.path)
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(body["type"], "Microsoft.EventGrid/topics");
    assert_eq!(body["location"], "westus2");
    assert_eq!(body["properties"]["inputSchema"], "CloudEventSchemaV1_0");
    assert_eq!(body["properties"]["provisioningState"], "Succeeded");
    assert_eq!(body["properties"]["disableLocalAuth"], false);
    let (status, again) = topic.owner.put(&topic.path, json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "a replacing PUT is 201 too");
    assert_eq!(
        again["properties"]["endpoint"],
        body["properties"]["endpoint"]
    );

    let rg_list = topic.path.rsplit_once('/').unwrap().0;
    let (_, listed) = topic.owner.get(rg_list).await;
    assert_eq!(listed["value"].as_array().unwrap().len(), 1);

    let keys = topic.keys().await;
    let rotated = topic
        .owner
        .post(
            &format!("{}/regenerateKey", topic.path),
            json!({"keyName": "key1"}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_ne!(rotated["key1"], keys["key1"]);
    assert_eq!(rotated["key2"], keys["key2"]);

    let (stranger, _) = server.tenant("stranger").await;
    let (status, _) = stranger.get(&topic.path).await;
    assert!(
        matches!(status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
        "{status}"
    );
    let (status, _) = stranger.action(&topic.path, "listKeys").await;
    assert!(matches!(
        status,
        StatusCode::NOT_FOUND | StatusCode::FORBIDDEN
    ));
}

#[tokio::test]
async fn bad_topics_are_refused_with_what_to_fix() {
    let server = Server::start().await;
    let topic = Topic::create(&server, "taken-name").await;
    let (other, sub) = server.tenant("other").await;
    let body = other
        .put(&format!("{}/topics/taken-name", eg(&sub, "rg")), json!({}))
        .await
        .expect_status(StatusCode::CONFLICT);
    assert!(message(&body).contains("unique"));
    let body = other
        .put(
            &format!("{}/topics/egschema", eg(&sub, "rg")),
            json!({"properties": {"inputSchema": "EventGridSchema"}}),
        )
        .await
        .expect_status(StatusCode::BAD_REQUEST);
    assert!(message(&body).contains("CloudEventSchemaV1_0"));
    topic
        .owner
        .patch(
            &topic.path,
            json!({"properties": {"publicNetworkAccess": "Sometimes"}}),
        )
        .await
        .expect_status(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn events_published_to_a_topic_reach_its_subscriptions_with_a_key_or_a_sas_token() {
    let server = Server::start().await;
    let receiver = Receiver::start().await;
    let topic = Topic::create(&server, "contoso-sales").await;
    topic
        .subscribe(
            "all-sales",
            json!({"destination": webhook(&receiver.url("sales"))}),
        )
        .await;
    topic
        .subscribe(
            "only-refunds",
            json!({
                "destination": webhook(&receiver.url("refunds")),
                "filter": {"includedEventTypes": ["Contoso.Refund"]}
            }),
        )
        .await;

    let keys = topic.keys().await;
    let events = json!([contoso_event("k1"), contoso_event("k2")]);
    topic
        .publish_with(keys["key2"].as_str().unwrap(), &events)
        .await
        .expect_status(StatusCode::OK);
    let token = shared::ingest::sas::generate_token(
        &topic.publisher.url,
        time::OffsetDateTime::now_utc() + time::Duration::hours(1),
        keys["key1"].as_str().unwrap(),
    )
    .unwrap();
    topic
        .publisher
        .send(("aeg-sas-token", &token), &json!([contoso_event("s1")]))
        .await
        .expect_status(StatusCode::OK);

    receiver.wait_for("sales", 3).await;
    let mut got = ids(&receiver.accepted_events("sales"));
    got.sort();
    assert_eq!(got, ["k1", "k2", "s1"]);
    let delivery = &receiver.deliveries("sales")[0];
    assert_eq!(delivery.header("aeg-subscription-name"), Some("all-sales"));
    assert!(
        receiver.deliveries("refunds").is_empty(),
        "the filter holds"
    );

    topic
        .publish_with("d3Jvbmcga2V5", &json!([contoso_event("x")]))
        .await
        .expect_status(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_topic_subscription_retries_and_dead_letters_like_a_partner_topic_one() {
    let server = Server::start().await;
    let receiver = Receiver::start().await;
    receiver.plan("gone", Plan::Always(400));
    let topic = Topic::create(&server, "contoso-dl").await;
    let subscription = topic
        .subscribe(
            "bad-hook",
            json!({"destination": webhook(&receiver.url("gone"))}),
        )
        .await;
    topic.publish(&json!([contoso_event("d1")])).await;
    let letters = topic.wait_for_dead_letters(&subscription, 1).await;
    assert_eq!(letters[0]["id"], "d1");
    assert_eq!(
        letters[0]["deadletterreason"],
        "UndeliverableDueToHttpBadRequest"
    );
}

#[tokio::test]
async fn deleting_a_topic_removes_its_subscriptions_and_its_endpoint() {
    let server = Server::start().await;
    let receiver = Receiver::start().await;
    let topic = Topic::create(&server, "contoso-gone").await;
    let subscription = topic
        .subscribe("hook", json!({"destination": webhook(&receiver.url("h"))}))
        .await;
    let key = topic.key("key1").await;
    topic.owner.remove(&topic.path).await;
    topic.owner.assert_missing(&subscription).await;
    let body = topic
        .publish_with(&key, &json!([contoso_event("late")]))
        .await
        .expect_status(StatusCode::NOT_FOUND);
    assert!(body.to_string().contains("TopicNotFound"), "{body}");
    let (status, _) = topic.owner.put(&topic.path, json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "the name is free again");
}
