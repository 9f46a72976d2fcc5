//! Partner topic provisioning over HTTP: namespaces and keys, channels creating partner topics,
//! activation, both deletion directions, and what authorization allows.

use e2e::{Answer, Server, Tenants, eg, from_now, message, new_subscription};
use reqwest::StatusCode;
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

#[tokio::test]
async fn a_partner_provisions_a_topic_that_the_customer_activates_and_deactivates() {
    let server = Server::start().await;
    let t = Tenants::new(&server, "SourceEventAttribute").await;
    let ns = t
        .partner
        .get(&t.namespace)
        .await
        .expect_status(StatusCode::OK);
    let ns_name = ns["name"].as_str().unwrap();
    assert_eq!(ns["type"], "Microsoft.EventGrid/partnerNamespaces");
    assert_eq!(
        ns["properties"]["endpoint"],
        format!("{}/partnerNamespaces/{ns_name}/api/events", server.base)
    );
    assert_eq!(
        ns["properties"]["partnerTopicRoutingMode"],
        "SourceEventAttribute"
    );
    assert!(
        ns["properties"].get("keys").is_none() && !ns.to_string().contains("key1"),
        "GET never shows keys"
    );

    let channel = t
        .open_channel(
            "orders",
            t.channel_body("orders-topic", "https://fabrikam.example/orders"),
        )
        .await;
    assert_eq!(channel["properties"]["readinessState"], "NeverActivated");
    assert_eq!(channel["properties"]["provisioningState"], "Succeeded");
    let deadline = OffsetDateTime::parse(
        channel["properties"]["expirationTimeIfNotActivatedUtc"]
            .as_str()
            .unwrap(),
        &Rfc3339,
    )
    .unwrap();
    let week = OffsetDateTime::now_utc() + time::Duration::days(7);
    assert!(
        (deadline - week).abs() < time::Duration::minutes(1),
        "the deadline defaults to 7 days"
    );

    let path = t.topic("orders-topic");
    let topic = t.customer.get(&path).await.expect_status(StatusCode::OK);
    assert_eq!(topic["type"], "Microsoft.EventGrid/partnerTopics");
    let p = &topic["properties"];
    assert_eq!(p["activationState"], "NeverActivated");
    assert_eq!(p["source"], "https://fabrikam.example/orders");
    assert_eq!(p["messageForActivation"], "Activate to receive orders");
    assert_eq!(
        p["eventTypeInfo"]["inlineEventTypes"]["Order.Created"]["description"],
        "An order was created"
    );
    assert_eq!(
        p["expirationTimeIfNotActivatedUtc"],
        channel["properties"]["expirationTimeIfNotActivatedUtc"]
    );
    assert!(p["partnerRegistrationImmutableId"].as_str().is_some());
    let (_, listed) = t
        .customer
        .get(&format!(
            "/subscriptions/{}/providers/Microsoft.EventGrid/partnerTopics",
            t.customer_sub
        ))
        .await;
    assert_eq!(listed["value"].as_array().unwrap().len(), 1);

    t.customer
        .action(&path, "deactivate")
        .await
        .expect_error(StatusCode::BAD_REQUEST, "InvalidActivationTransition");
    for (action, want) in [
        ("activate", "Activated"),
        ("activate", "Activated"),
        ("deactivate", "Deactivated"),
        ("deactivate", "Deactivated"),
        ("activate", "Activated"),
    ] {
        let body = t
            .customer
            .action(&path, action)
            .await
            .expect_status(StatusCode::OK);
        assert_eq!(body["properties"]["activationState"], want);
    }
    let (_, channel) = t.partner.get(&t.channel("orders")).await;
    assert_eq!(channel["properties"]["readinessState"], "Activated");

    t.partner
        .patch(&t.channel("orders"), json!({"properties": {"partnerTopicInfo": {"eventTypeInfo": {"kind": "Inline", "inlineEventTypes": {"Order.Shipped": {}}}}}}))
        .await
        .expect_status(StatusCode::OK);
    let (_, topic) = t.customer.get(&path).await;
    assert!(
        topic["properties"]["eventTypeInfo"]["inlineEventTypes"]
            .get("Order.Shipped")
            .is_some(),
        "the topic sees the change at once"
    );
    let body = t
        .partner
        .patch(
            &t.channel("orders"),
            json!({"properties": {"messageForActivation": "new"}}),
        )
        .await
        .expect_error(StatusCode::BAD_REQUEST, "InvalidRequestContent");
    assert!(message(&body).contains("messageForActivation"));

    let tagged = t
        .customer
        .patch(&path, json!({"tags": {"owner": "ops"}}))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(tagged["tags"]["owner"], "ops");
}

#[tokio::test]
async fn namespace_keys_are_listed_to_the_owner_and_regenerated_one_at_a_time() {
    let server = Server::start().await;
    let t = Tenants::new(&server, "ChannelNameHeader").await;
    let keys = t.keys().await;
    let (key1, key2) = (
        keys["key1"].as_str().unwrap().to_owned(),
        keys["key2"].as_str().unwrap().to_owned(),
    );
    assert_eq!(key1.len(), 44, "256 bits in standard base64");
    assert_ne!(key1, key2);
    let regenerate = format!("{}/regenerateKey", t.namespace);
    let regenerated = t
        .partner
        .post(&regenerate, json!({"keyName": "key1"}))
        .await
        .expect_status(StatusCode::OK);
    assert_ne!(regenerated["key1"], key1.as_str());
    assert_eq!(
        regenerated["key2"],
        key2.as_str(),
        "the other key keeps working"
    );
    t.partner
        .post(&regenerate, json!({"keyName": "key3"}))
        .await
        .expect_error(StatusCode::BAD_REQUEST, "InvalidKeyName");
    t.customer
        .action(&t.namespace, "listKeys")
        .await
        .expect_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn without_an_authorization_a_channel_is_refused_and_nothing_is_created() {
    let server = Server::start().await;
    let t = Tenants::new(&server, "SourceEventAttribute").await;
    t.unauthorize().await;
    let refused = t.channel_body("refused-topic", "src");
    t.partner
        .put(&t.channel("refused"), refused)
        .await
        .expect_error(StatusCode::FORBIDDEN, "PartnerNotAuthorized");
    t.partner.assert_missing(&t.channel("refused")).await;
    t.customer.assert_missing(&t.topic("refused-topic")).await;

    let mut body = t.channel_body("other-topic", "src");
    body["properties"]["partnerTopicInfo"]["azureSubscriptionId"] = json!(new_subscription());
    t.partner
        .put(&t.channel("nowhere"), body)
        .await
        .expect_error(StatusCode::FORBIDDEN, "PartnerNotAuthorized");
}

#[tokio::test]
async fn deleting_the_topic_deletes_the_channel_and_deleting_the_channel_deletes_the_topic() {
    let server = Server::start().await;
    let t = Tenants::new(&server, "SourceEventAttribute").await;
    let first = t.partner_topic("first", "first-topic", "s1").await;
    let second = t.partner_topic("second", "second-topic", "s2").await;
    let (partner, customer) = (&t.partner, &t.customer);

    customer.remove(&first).await;
    partner.assert_missing(&t.channel("first")).await;
    partner.remove(&t.channel("second")).await;
    customer.assert_missing(&second).await;

    let (status, _) = partner
        .put(&t.channel("again"), t.channel_body("first-topic", "s1"))
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "names and sources are free again"
    );
    partner.remove(&t.namespace).await;
    assert_eq!(
        customer.get(&first).await.0,
        StatusCode::NOT_FOUND,
        "deleting the namespace deletes its topics"
    );
    partner.assert_missing(&t.namespace).await;
}

#[tokio::test]
async fn names_sources_and_routing_modes_are_guarded() {
    let server = Server::start().await;
    let t = Tenants::new(&server, "SourceEventAttribute").await;
    t.partner_topic("one", "taken", "source-a").await;
    t.partner
        .put(&t.channel("two"), t.channel_body("taken", "source-b"))
        .await
        .expect_error(StatusCode::CONFLICT, "PartnerTopicAlreadyExists");
    t.partner
        .put(&t.channel("three"), t.channel_body("free", "source-a"))
        .await
        .expect_error(StatusCode::CONFLICT, "ChannelSourceAlreadyInUse");
    assert_eq!(
        t.customer.get(&t.topic("free")).await.0,
        StatusCode::NOT_FOUND,
        "a refused channel leaves no topic behind"
    );

    t.partner
        .put(&t.channel("one"), t.channel_body("taken", "source-a"))
        .await
        .expect_status(StatusCode::OK);
    t.partner
        .put(&t.channel("one"), t.channel_body("moved", "source-a"))
        .await
        .expect_error(StatusCode::BAD_REQUEST, "ImmutablePropertyChange");

    let (_, ns) = t.partner.get(&t.namespace).await;
    let mut body = json!({"properties": ns["properties"].clone()});
    body["properties"]["partnerTopicRoutingMode"] = json!("ChannelNameHeader");
    t.partner
        .put(&t.namespace, body)
        .await
        .expect_error(StatusCode::BAD_REQUEST, "ImmutablePropertyChange");

    let other = Tenants::new(&server, "SourceEventAttribute").await;
    let same_name = format!(
        "{}/partnerNamespaces/{}",
        eg(&other.partner_sub, "rg"),
        ns["name"].as_str().unwrap()
    );
    let (_, reg) = other
        .partner
        .get(&format!(
            "/subscriptions/{}/providers/Microsoft.EventGrid/partnerRegistrations",
            other.partner_sub
        ))
        .await;
    other
        .partner
        .put(
            &same_name,
            json!({"properties": {"partnerRegistrationFullyQualifiedId": reg["value"][0]["id"]}}),
        )
        .await
        .expect_error(StatusCode::CONFLICT, "ResourceNameNotAvailable");
}

#[tokio::test]
async fn partners_and_customers_see_only_their_own_side() {
    let server = Server::start().await;
    let t = Tenants::new(&server, "SourceEventAttribute").await;
    let topic = t.partner_topic("mine", "theirs", "s").await;
    let (status, _) = t.partner.get(&topic).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the partner cannot reach the customer's topic: {topic}"
    );
    let (status, _) = t.partner.action(&topic, "activate").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the partner cannot reach the customer's topic: {topic}/activate"
    );
    for path in [
        t.namespace.clone(),
        t.channel("mine"),
        format!("{}/channels", t.namespace),
    ] {
        assert_eq!(
            t.customer.get(&path).await.0,
            StatusCode::NOT_FOUND,
            "the customer cannot reach the partner's {path}"
        );
    }
    t.customer
        .delete(&t.channel("mine"))
        .await
        .expect_status(StatusCode::NOT_FOUND);
    t.partner
        .delete(&topic)
        .await
        .expect_status(StatusCode::NOT_FOUND);
    assert_eq!(
        t.customer.get(&topic).await.0,
        StatusCode::OK,
        "nothing was deleted"
    );
}

#[tokio::test]
async fn in_a_channel_name_header_namespace_channels_may_share_a_source_and_leave_each_other_be() {
    use shared::ports::ManualClock;
    use shared::usecases::resources::pairs::ChannelRef;
    let clock = std::sync::Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
    let server = Server::builder().clock(clock.clone()).start().await;
    let t = Tenants::new(&server, "ChannelNameHeader").await;
    for (channel, topic) in [("one", "topic-one"), ("two", "topic-two")] {
        t.partner_topic(channel, topic, "fabrikam/orders").await;
    }
    let mut expiring = t.channel_body("topic-three", "fabrikam/orders");
    expiring["properties"]["expirationTimeIfNotActivatedUtc"] =
        json!(from_now(time::Duration::hours(1)));
    t.open_channel("three", expiring).await;

    let store = server.app.ports.store.as_ref();
    let namespace_name = t.namespace.rsplit('/').next().unwrap();
    let index = shared::table::channel_source(namespace_name, "fabrikam/orders");
    assert!(
        store.get(&index).await.unwrap().is_none(),
        "a ChannelNameHeader namespace indexes no source"
    );
    let one_id: shared::ids::ResourceId = t.channel("one").parse().unwrap();
    store
        .write(vec![
            shared::table::put(
                index.clone(),
                &ChannelRef {
                    channel: one_id.clone(),
                },
                shared::ports::Expect::Absent,
            )
            .unwrap(),
        ])
        .await
        .unwrap();

    assert!(t.partner.delete(&t.channel("two")).await.0.is_success());
    clock.advance(time::Duration::hours(2));
    shared::usecases::flows::expiry::sweep(&server.app.ports, 100)
        .await
        .unwrap();
    t.partner.assert_missing(&t.channel("three")).await;
    assert!(
        store.get(&index).await.unwrap().is_some(),
        "deleting or expiring a channel leaves another channel's index entry (one written before sources could repeat)"
    );
    t.partner
        .get(&t.channel("one"))
        .await
        .expect_status(StatusCode::OK);
    assert!(t.partner.delete(&t.channel("one")).await.0.is_success());
    assert!(
        store.get(&index).await.unwrap().is_none(),
        "a channel's own index entry goes with it"
    );
}
