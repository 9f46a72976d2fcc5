//! Network settings of publish endpoints over HTTP: `inboundIpRules` admit only the addresses
//! they hold and `publicNetworkAccess: Disabled` admits none, on customer topics and partner
//! namespaces alike, before any key is looked at.

use e2e::{Answer, CustomerTopic, Server, Tenants, answer, contoso_event};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn topic_with(server: &Server, name: &str, properties: Value) -> CustomerTopic {
    let topic = CustomerTopic::create(server, name).await;
    topic
        .owner
        .patch(&topic.path, json!({"properties": properties}))
        .await
        .expect_status(StatusCode::OK);
    topic
}

fn rules(masks: &[&str]) -> Value {
    json!({"inboundIpRules": masks.iter().map(|m| json!({"ipMask": m, "action": "Allow"})).collect::<Vec<_>>()})
}

async fn publish_with_key1(topic: &CustomerTopic) -> (StatusCode, Value) {
    let key = topic.key("key1").await;
    topic.publish_with(&key, &json!([contoso_event("1")])).await
}

#[tokio::test]
async fn inbound_ip_rules_admit_an_address_they_hold_as_one_address_or_a_range() {
    let server = Server::start().await;
    for (name, mask) in [("one-address", "127.0.0.1"), ("a-range", "127.0.0.0/8")] {
        let topic = topic_with(&server, name, rules(&["10.0.0.0/8", mask])).await;
        let (status, body) = publish_with_key1(&topic).await;
        assert_eq!(status, StatusCode::OK, "{mask}: {body}");
    }
}

#[tokio::test]
async fn inbound_ip_rules_refuse_an_address_they_do_not_hold_with_403_naming_it() {
    let server = Server::start().await;
    let topic = topic_with(&server, "guarded", rules(&["10.0.0.0/8", "192.0.2.7"])).await;
    let (status, body) = publish_with_key1(&topic).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "IpAddressRejected");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("127.0.0.1") && message.contains("inboundIpRules"),
        "{message}"
    );
}

#[tokio::test]
async fn a_refused_address_is_told_so_before_its_key_is_checked() {
    let server = Server::start().await;
    let topic = topic_with(&server, "guarded", rules(&["10.0.0.0/8"])).await;
    let body = topic
        .publish_with("not-a-key", &json!([contoso_event("1")]))
        .await
        .expect_status(StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "IpAddressRejected");
}

#[tokio::test]
async fn public_network_access_disabled_refuses_every_publisher() {
    let server = Server::start().await;
    let topic = topic_with(
        &server,
        "private",
        json!({"publicNetworkAccess": "Disabled", "inboundIpRules": [{"ipMask": "127.0.0.1"}]}),
    )
    .await;
    let (status, body) = publish_with_key1(&topic).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "PublicNetworkAccessDisabled");
}

#[tokio::test]
async fn a_partner_namespace_applies_its_inbound_ip_rules_too() {
    let server = Server::start().await;
    let t = Tenants::new(&server, "ChannelNameHeader").await;
    let body = t
        .partner
        .patch(&t.namespace, json!({"properties": rules(&["10.0.0.0/8"])}))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(
        body["properties"]["inboundIpRules"][0]["ipMask"],
        "10.0.0.0/8"
    );
    let keys = t.keys().await;
    let request = t
        .publisher()
        .await
        .batch(&json!([contoso_event("1")]))
        .header("aeg-sas-key", keys["key1"].as_str().unwrap())
        .header("aeg-channel-name", "orders");
    answer(request)
        .await
        .expect_error(StatusCode::FORBIDDEN, "IpAddressRejected");
}
