//! Partner topic provisioning over HTTP: namespaces and keys, channels creating partner topics,
//! activation, both deletion directions, and what authorization allows.

use e2e::{Server, Tenants, eg, new_subscription};
use reqwest::StatusCode;
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

#[tokio::test]
async fn a_partner_provisions_a_topic_that_the_customer_activates_and_deactivates() {
    let server = Server::start().await;
    let t = Tenants::new(&server, "SourceEventAttribute").await;
    let (status, ns) = t.partner.get(&t.namespace).await;
    assert_eq!(status, StatusCode::OK);
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

    let (status, channel) = t
        .partner
        .put(
            &t.channel("orders"),
            t.channel_body("orders-topic", "https://fabrikam.example/orders"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{channel}");
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

    let (status, topic) = t.customer.get(&t.topic("orders-topic")).await;
    assert_eq!(status, StatusCode::OK, "{topic}");
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

    let activate = format!("{}/activate", t.topic("orders-topic"));
    let deactivate = format!("{}/deactivate", t.topic("orders-topic"));
    let (status, body) = t.customer.post(&deactivate, json!({})).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("InvalidActivationTransition"))
    );
    for (path, want) in [
        (&activate, "Activated"),
        (&activate, "Activated"),
        (&deactivate, "Deactivated"),
        (&deactivate, "Deactivated"),
        (&activate, "Activated"),
    ] {
        let (status, body) = t.customer.post(path, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["properties"]["activationState"], want);
    }
    let (_, channel) = t.partner.get(&t.channel("orders")).await;
    assert_eq!(channel["properties"]["readinessState"], "Activated");

    let (status, patched) = t
        .partner
        .patch(&t.channel("orders"), json!({"properties": {"partnerTopicInfo": {"eventTypeInfo": {"kind": "Inline", "inlineEventTypes": {"Order.Shipped": {}}}}}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    let (_, topic) = t.customer.get(&t.topic("orders-topic")).await;
    assert!(
        topic["properties"]["eventTypeInfo"]["inlineEventTypes"]
            .get("Order.Shipped")
            .is_some(),
        "the topic sees the change at once"
    );
    let (status, body) = t
        .partner
        .patch(
            &t.channel("orders"),
            json!({"properties": {"messageForActivation": "new"}}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("InvalidRequestContent")),
        "{body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("messageForActivation")
    );

    let (status, tagged) = t
        .customer
        .patch(&t.topic("orders-topic"), json!({"tags": {"owner": "ops"}}))
        .await;
    assert_eq!(
        (status, tagged["tags"]["owner"].as_str()),
        (StatusCode::OK, Some("ops"))
    );
}

#[tokio::test]
async fn namespace_keys_are_listed_to_the_owner_and_regenerated_one_at_a_time() {
    let server = Server::start().await;
    let t = Tenants::new(&server, "ChannelNameHeader").await;
    let (status, keys) = t
        .partner
        .post(&format!("{}/listKeys", t.namespace), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (key1, key2) = (
        keys["key1"].as_str().unwrap().to_owned(),
        keys["key2"].as_str().unwrap().to_owned(),
    );
    assert_eq!(key1.len(), 44, "256 bits in standard base64");
    assert_ne!(key1, key2);
    let (status, regenerated) = t
        .partner
        .post(
            &format!("{}/regenerateKey", t.namespace),
            json!({"keyName": "key1"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(regenerated["key1"], key1.as_str());
    assert_eq!(
        regenerated["key2"],
        key2.as_str(),
        "the other key keeps working"
    );
    let (status, body) = t
        .partner
        .post(
            &format!("{}/regenerateKey", t.namespace),
            json!({"keyName": "key3"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("InvalidKeyName"))
    );
    assert_eq!(
        t.customer
            .post(&format!("{}/listKeys", t.namespace), json!({}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn without_an_authorization_a_channel_is_refused_and_nothing_is_created() {
    let server = Server::start().await;
    let t = Tenants::new(&server, "SourceEventAttribute").await;
    let (status, _) = t
        .customer
        .post(
            &format!("{}/unauthorizePartner", t.config),
            json!({"partnerName": format!("reg-{}", &t.partner_sub[..8])}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = t
        .partner
        .put(
            &t.channel("refused"),
            t.channel_body("refused-topic", "src"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "PartnerNotAuthorized");
    assert_eq!(
        t.partner.get(&t.channel("refused")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.customer.get(&t.topic("refused-topic")).await.0,
        StatusCode::NOT_FOUND
    );

    let elsewhere = new_subscription();
    let mut body = t.channel_body("other-topic", "src");
    body["properties"]["partnerTopicInfo"]["azureSubscriptionId"] = json!(elsewhere);
    let (status, answer) = t.partner.put(&t.channel("nowhere"), body).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("PartnerNotAuthorized"))
    );
}

#[tokio::test]
async fn deleting_the_topic_deletes_the_channel_and_deleting_the_channel_deletes_the_topic() {
    let server = Server::start().await;
    let t = Tenants::new(&server, "SourceEventAttribute").await;
    assert_eq!(
        t.partner
            .put(&t.channel("first"), t.channel_body("first-topic", "s1"))
            .await
            .0,
        StatusCode::CREATED
    );
    assert_eq!(
        t.partner
            .put(&t.channel("second"), t.channel_body("second-topic", "s2"))
            .await
            .0,
        StatusCode::CREATED
    );

    assert_eq!(
        t.customer.delete(&t.topic("first-topic")).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        t.partner.get(&t.channel("first")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.partner.delete(&t.channel("second")).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        t.customer.get(&t.topic("second-topic")).await.0,
        StatusCode::NOT_FOUND
    );

    assert_eq!(
        t.partner
            .put(&t.channel("again"), t.channel_body("first-topic", "s1"))
            .await
            .0,
        StatusCode::CREATED,
        "names and sources are free again"
    );
    assert_eq!(
        t.partner.delete(&t.namespace).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        t.customer.get(&t.topic("first-topic")).await.0,
        StatusCode::NOT_FOUND,
        "deleting the namespace deletes its topics"
    );
    assert_eq!(t.partner.get(&t.namespace).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn names_sources_and_routing_modes_are_guarded() {
    let server = Server::start().await;
    let t = Tenants::new(&server, "SourceEventAttribute").await;
    assert_eq!(
        t.partner
            .put(&t.channel("one"), t.channel_body("taken", "source-a"))
            .await
            .0,
        StatusCode::CREATED
    );
    let (status, body) = t
        .partner
        .put(&t.channel("two"), t.channel_body("taken", "source-b"))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("PartnerTopicAlreadyExists")),
        "{body}"
    );
    let (status, body) = t
        .partner
        .put(&t.channel("three"), t.channel_body("free", "source-a"))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("ChannelSourceAlreadyInUse")),
        "{body}"
    );
    assert_eq!(
        t.customer.get(&t.topic("free")).await.0,
        StatusCode::NOT_FOUND,
        "a refused channel leaves no topic behind"
    );

    let (status, replaced) = t
        .partner
        .put(&t.channel("one"), t.channel_body("taken", "source-a"))
        .await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    let (status, body) = t
        .partner
        .put(&t.channel("one"), t.channel_body("moved", "source-a"))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("ImmutablePropertyChange"))
    );

    let (_, ns) = t.partner.get(&t.namespace).await;
    let mut body = json!({"properties": ns["properties"].clone()});
    body["properties"]["partnerTopicRoutingMode"] = json!("ChannelNameHeader");
    let (status, answer) = t.partner.put(&t.namespace, body).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("ImmutablePropertyChange")),
        "{answer}"
    );

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
    let (status, answer) = other
        .partner
        .put(
            &same_name,
            json!({"properties": {"partnerRegistrationFullyQualifiedId": reg["value"][0]["id"]}}),
        )
        .await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("ResourceNameNotAvailable")),
        "{answer}"
    );
}

#[tokio::test]
async fn partners_and_customers_see_only_their_own_side() {
    let server = Server::start().await;
    let t = Tenants::new(&server, "SourceEventAttribute").await;
    assert_eq!(
        t.partner
            .put(&t.channel("mine"), t.channel_body("theirs", "s"))
            .await
            .0,
        StatusCode::CREATED
    );
    for path in [t.topic("theirs"), format!("{}/activate", t.topic("theirs"))] {
        let (status, _) = t
            .partner
            .send(
                if path.ends_with("activate") {
                    reqwest::Method::POST
                } else {
                    reqwest::Method::GET
                },
                &path,
                e2e::Body::Json(json!({})),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "the partner cannot reach the customer's topic: {path}"
        );
    }
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
    assert_eq!(
        t.customer.delete(&t.channel("mine")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.partner.delete(&t.topic("theirs")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.customer.get(&t.topic("theirs")).await.0,
        StatusCode::OK,
        "nothing was deleted"
    );
}

#[tokio::test]
async fn in_a_channel_name_header_namespace_channels_may_share_a_source_and_leave_each_other_be() {
    use shared::ports::ManualClock;
    use shared::usecases::resources::pairs::ChannelRef;
    let clock = std::sync::Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
    let server = Server::start_with_clock(clock.clone()).await;
    let t = Tenants::new(&server, "ChannelNameHeader").await;
    for (channel, topic) in [("one", "topic-one"), ("two", "topic-two")] {
        let (status, body) = t
            .partner
            .put(
                &t.channel(channel),
                t.channel_body(topic, "fabrikam/orders"),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let mut expiring = t.channel_body("topic-three", "fabrikam/orders");
    expiring["properties"]["expirationTimeIfNotActivatedUtc"] = json!(
        (OffsetDateTime::now_utc() + time::Duration::hours(1))
            .format(&Rfc3339)
            .unwrap()
    );
    let (status, body) = t.partner.put(&t.channel("three"), expiring).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

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
    assert_eq!(
        t.partner.get(&t.channel("three")).await.0,
        StatusCode::NOT_FOUND
    );
    assert!(
        store.get(&index).await.unwrap().is_some(),
        "deleting or expiring a channel leaves another channel's index entry (one written before sources could repeat)"
    );
    assert_eq!(t.partner.get(&t.channel("one")).await.0, StatusCode::OK);
    assert!(t.partner.delete(&t.channel("one")).await.0.is_success());
    assert!(
        store.get(&index).await.unwrap().is_none(),
        "a channel's own index entry goes with it"
    );
}
