//! Partner destinations over HTTP: a partner's `PartnerDestination` channel provisions a
//! destination in an authorizing customer's resource group; the customer activates it and
//! routes its own events there; the partner's endpoint gets them with the destination's context.

use e2e::receiver::Receiver;
use e2e::{CustomerTopic, Server, Tenants, contoso_event, ids, webhook};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A `PartnerDestination` channel body naming destination `name` in the customer's group.
fn destination_channel(t: &Tenants, name: &str, endpoint: &str) -> Value {
    json!({"properties": {
        "channelType": "PartnerDestination",
        "messageForActivation": "Activate to send your events to Fabrikam",
        "partnerDestinationInfo": {
            "azureSubscriptionId": t.customer_sub,
            "resourceGroupName": "customer-rg",
            "name": name,
            "endpointServiceContext": "fabrikam-tenant-42",
            "endpointType": "WebHook",
            "properties": {"endpointUrl": endpoint}
        }
    }})
}

fn destination(t: &Tenants, name: &str) -> String {
    format!(
        "{}/partnerDestinations/{name}",
        e2e::eg(&t.customer_sub, "customer-rg")
    )
}

struct Provisioned {
    t: Tenants,
    receiver: Receiver,
    destination: String,
}

/// A partner with a destination channel `to-fabrikam` in an authorizing customer's group.
async fn provisioned(server: &Server) -> Provisioned {
    let t = Tenants::new(server, "ChannelNameHeader").await;
    let receiver = Receiver::start().await;
    let endpoint = format!("{}?code=s3cret", receiver.url("partner"));
    let (status, body) = t
        .partner
        .put(
            &t.channel("to-fabrikam"),
            destination_channel(&t, "to-fabrikam", &endpoint),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let destination = destination(&t, "to-fabrikam");
    Provisioned {
        t,
        receiver,
        destination,
    }
}

#[tokio::test]
async fn a_destination_channel_provisions_a_never_activated_destination_the_customer_activates() {
    let server = Server::start().await;
    let p = provisioned(&server).await;
    let (_, channel) = p.t.partner.get(&p.t.channel("to-fabrikam")).await;
    let info = &channel["properties"]["partnerDestinationInfo"];
    assert_eq!(channel["properties"]["channelType"], "PartnerDestination");
    assert_eq!(info["endpointServiceContext"], "fabrikam-tenant-42");
    assert_eq!(
        info["properties"]["endpointBaseUrl"],
        p.receiver.url("partner")
    );
    assert!(
        !channel.to_string().contains("s3cret"),
        "the endpoint URL is a secret: {channel}"
    );
    let (status, full) =
        p.t.partner
            .post(
                &format!("{}/getFullUrl", p.t.channel("to-fabrikam")),
                json!({}),
            )
            .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        full["endpointUrl"],
        format!("{}?code=s3cret", p.receiver.url("partner"))
    );

    let (status, found) = p.t.customer.get(&p.destination).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["type"], "Microsoft.EventGrid/partnerDestinations");
    assert_eq!(found["properties"]["activationState"], "NeverActivated");
    assert_eq!(
        found["properties"]["messageForActivation"],
        "Activate to send your events to Fabrikam"
    );
    assert!(found["properties"]["expirationTimeIfNotActivatedUtc"].is_string());
    let (_, listed) =
        p.t.customer
            .get(&format!(
                "/subscriptions/{}/providers/Microsoft.EventGrid/partnerDestinations",
                p.t.customer_sub
            ))
            .await;
    assert_eq!(listed["value"].as_array().unwrap().len(), 1);
    let (status, partner_view) = p.t.partner.get(&p.destination).await;
    assert!(
        matches!(status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
        "only the customer sees the destination: {status} {partner_view}"
    );

    let (status, activated) =
        p.t.customer
            .post(&format!("{}/activate", p.destination), json!({}))
            .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(activated["properties"]["activationState"], "Activated");
    let (_, channel) = p.t.partner.get(&p.t.channel("to-fabrikam")).await;
    assert_eq!(channel["properties"]["readinessState"], "Activated");
}

#[tokio::test]
async fn a_destination_needs_an_unexpired_authorization() {
    let server = Server::start().await;
    let t = Tenants::new(&server, "ChannelNameHeader").await;
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
            &t.channel("to-fabrikam"),
            destination_channel(&t, "to-fabrikam", "https://partner.example/hook"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "PartnerNotAuthorized");
    let (status, _) = t.customer.get(&destination(&t, "to-fabrikam")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing was provisioned");
    let (status, body) = t
        .partner
        .put(
            &t.channel("no-url"),
            json!({"properties": {"channelType": "PartnerDestination", "partnerDestinationInfo": {
                "azureSubscriptionId": t.customer_sub, "resourceGroupName": "customer-rg", "name": "no-url"}}}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("endpointUrl"),
        "{body}"
    );
}

#[tokio::test]
async fn only_an_activated_destination_of_the_callers_own_is_a_subscription_destination() {
    let server = Server::start().await;
    let p = provisioned(&server).await;
    let topic_sub = &p.t.customer_sub;
    let topic = CustomerTopic::create_as(p.t.customer.clone(), topic_sub, "contoso-out").await;
    let subscription = format!("{}/eventSubscriptions/to-partner", topic.path);
    let to_destination = |id: &str| json!({"properties": {"destination": {"endpointType": "PartnerDestination", "properties": {"resourceId": id}}}});
    let (status, body) =
        p.t.customer
            .put(&subscription, to_destination(&p.destination))
            .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not activated"),
        "{body}"
    );
    let elsewhere = p.destination.replace(&p.t.customer_sub, &p.t.partner_sub);
    let (status, body) =
        p.t.customer
            .put(&subscription, to_destination(&elsewhere))
            .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("your own"),
        "{body}"
    );
    p.t.customer
        .post(&format!("{}/activate", p.destination), json!({}))
        .await;
    let (status, body) =
        p.t.customer
            .put(&subscription, to_destination(&p.destination))
            .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        body["properties"]["destination"]["properties"]["resourceId"],
        p.destination
    );
    let (status, body) = p
        .t
        .customer
        .patch(
            &subscription,
            json!({"destination": {"endpointType": "PartnerDestination", "properties": {"resourceId": elsewhere}}}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a PATCH is held to the same rule: {body}"
    );
}

#[tokio::test]
async fn a_partner_cannot_publish_into_a_destination_channel() {
    let server = Server::start().await;
    let p = provisioned(&server).await;
    p.t.customer
        .post(&format!("{}/activate", p.destination), json!({}))
        .await;
    let (_, namespace) = p.t.partner.get(&p.t.namespace).await;
    let (_, keys) =
        p.t.partner
            .post(&format!("{}/listKeys", p.t.namespace), json!({}))
            .await;
    let response = reqwest::Client::new()
        .post(namespace["properties"]["endpoint"].as_str().unwrap())
        .header("aeg-sas-key", keys["key1"].as_str().unwrap())
        .header("aeg-channel-name", "to-fabrikam")
        .header("content-type", "application/cloudevents-batch+json")
        .body(json!([contoso_event("x")]).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "ChannelNotFound");
}

#[tokio::test]
async fn customer_events_reach_the_partner_with_the_context_until_the_destination_is_deactivated_or_deleted()
 {
    let server = Server::start().await;
    let p = provisioned(&server).await;
    p.t.customer
        .post(&format!("{}/activate", p.destination), json!({}))
        .await;
    let topic =
        CustomerTopic::create_as(p.t.customer.clone(), &p.t.customer_sub, "contoso-fwd").await;
    let (status, body) = p
        .t
        .customer
        .put(
            &format!("{}/eventSubscriptions/to-partner", topic.path),
            json!({"properties": {"destination": {"endpointType": "PartnerDestination", "properties": {"resourceId": p.destination}}}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) =
        p.t.customer
            .put(
                &format!("{}/eventSubscriptions/own-hook", topic.path),
                json!({"properties": {"destination": webhook(&p.receiver.url("own"))}}),
            )
            .await;
    assert_eq!(status, StatusCode::CREATED);

    topic.publish_ok(&json!([contoso_event("c1")])).await;
    let got = p.receiver.wait_for("partner", 1).await;
    assert_eq!(ids(&got[0].events()), ["c1"]);
    assert_eq!(
        got[0].header("aeg-partner-destination-context"),
        Some("fabrikam-tenant-42")
    );
    assert_eq!(got[0].header("aeg-subscription-name"), Some("to-partner"));
    assert!(
        p.receiver.wait_for("own", 1).await[0]
            .header("aeg-partner-destination-context")
            .is_none()
    );

    let (status, _) =
        p.t.customer
            .post(&format!("{}/deactivate", p.destination), json!({}))
            .await;
    assert_eq!(status, StatusCode::OK);
    topic.publish_ok(&json!([contoso_event("c2")])).await;
    let letters = topic.dead_letters("to-partner", 1).await;
    assert_eq!(letters[0]["id"], "c2");
    assert_eq!(
        letters[0]["deadletterreason"],
        "PartnerDestinationNotActivated"
    );

    let (status, _) = p.t.customer.delete(&p.destination).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = p.t.partner.get(&p.t.channel("to-fabrikam")).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the channel goes with its destination"
    );
    topic.publish_ok(&json!([contoso_event("c3")])).await;
    let letters = topic.dead_letters("to-partner", 2).await;
    assert_eq!(letters[0]["id"], "c3");
    assert_eq!(letters[0]["deadletterreason"], "PartnerDestinationNotFound");
    assert_eq!(
        p.receiver.deliveries("partner").len(),
        1,
        "nothing reached the partner after the deactivation"
    );
}
