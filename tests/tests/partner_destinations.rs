//! Partner destinations over HTTP: a partner's `PartnerDestination` channel provisions a
//! destination in an authorizing customer's resource group; the customer activates it and
//! routes its own events there; the partner's endpoint gets them with the destination's context.

use e2e::receiver::Receiver;
use e2e::{Answer, CustomerTopic, Server, Tenants, contoso_event, ids, message, webhook};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Subscription properties delivering to partner destination `id`.
fn to(id: &str) -> Value {
    json!({"destination": {"endpointType": "PartnerDestination", "properties": {"resourceId": id}}})
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
    t.open_channel(
        "to-fabrikam",
        t.destination_channel_body("to-fabrikam", &endpoint),
    )
    .await;
    let destination = t.destination("to-fabrikam");
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
    let full =
        p.t.partner
            .action(&p.t.channel("to-fabrikam"), "getFullUrl")
            .await
            .expect_status(StatusCode::OK);
    assert_eq!(
        full["endpointUrl"],
        format!("{}?code=s3cret", p.receiver.url("partner"))
    );

    let found =
        p.t.customer
            .get(&p.destination)
            .await
            .expect_status(StatusCode::OK);
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

    let activated =
        p.t.customer
            .action(&p.destination, "activate")
            .await
            .expect_status(StatusCode::OK);
    assert_eq!(activated["properties"]["activationState"], "Activated");
    let (_, channel) = p.t.partner.get(&p.t.channel("to-fabrikam")).await;
    assert_eq!(channel["properties"]["readinessState"], "Activated");
}

#[tokio::test]
async fn a_destination_needs_an_unexpired_authorization() {
    let server = Server::start().await;
    let t = Tenants::new(&server, "ChannelNameHeader").await;
    t.unauthorize().await;
    t.partner
        .put(
            &t.channel("to-fabrikam"),
            t.destination_channel_body("to-fabrikam", "https://partner.example/hook"),
        )
        .await
        .expect_error(StatusCode::FORBIDDEN, "PartnerNotAuthorized");
    let (status, _) = t.customer.get(&t.destination("to-fabrikam")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing was provisioned");
    let body = t
        .partner
        .put(
            &t.channel("no-url"),
            json!({"properties": {"channelType": "PartnerDestination", "partnerDestinationInfo": {
                "azureSubscriptionId": t.customer_sub, "resourceGroupName": "customer-rg", "name": "no-url"}}}),
        )
        .await
        .expect_status(StatusCode::BAD_REQUEST);
    assert!(message(&body).contains("endpointUrl"), "{body}");
}

#[tokio::test]
async fn only_an_activated_destination_of_the_callers_own_is_a_subscription_destination() {
    let server = Server::start().await;
    let p = provisioned(&server).await;
    let topic_sub = &p.t.customer_sub;
    let topic = CustomerTopic::create_as(p.t.customer.clone(), topic_sub, "contoso-out").await;
    let subscription = topic.subscription("to-partner");
    let put = |id: &str| {
        p.t.customer
            .put(&subscription, json!({"properties": to(id)}))
    };
    let body = put(&p.destination)
        .await
        .expect_status(StatusCode::BAD_REQUEST);
    assert!(message(&body).contains("not activated"), "{body}");
    let elsewhere = p.destination.replace(&p.t.customer_sub, &p.t.partner_sub);
    let body = put(&elsewhere).await.expect_status(StatusCode::BAD_REQUEST);
    assert!(message(&body).contains("your own"), "{body}");
    p.t.customer.action(&p.destination, "activate").await;
    let body = put(&p.destination).await.expect_status(StatusCode::CREATED);
    assert_eq!(
        body["properties"]["destination"]["properties"]["resourceId"],
        p.destination
    );
    let (status, body) = p.t.customer.patch(&subscription, to(&elsewhere)).await;
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
    p.t.customer.action(&p.destination, "activate").await;
    let keys = p.t.keys().await;
    let request =
        p.t.publisher()
            .await
            .batch(&json!([contoso_event("x")]))
            .header("aeg-sas-key", keys["key1"].as_str().unwrap())
            .header("aeg-channel-name", "to-fabrikam");
    e2e::answer(request)
        .await
        .expect_error(StatusCode::BAD_REQUEST, "ChannelNotFound");
}

#[tokio::test]
async fn customer_events_reach_the_partner_with_the_context_until_the_destination_is_deactivated_or_deleted()
 {
    let server = Server::start().await;
    let p = provisioned(&server).await;
    p.t.customer.action(&p.destination, "activate").await;
    let topic =
        CustomerTopic::create_as(p.t.customer.clone(), &p.t.customer_sub, "contoso-fwd").await;
    let to_partner = topic.subscribe("to-partner", to(&p.destination)).await;
    topic
        .subscribe(
            "own-hook",
            json!({"destination": webhook(&p.receiver.url("own"))}),
        )
        .await;

    topic.publish(&json!([contoso_event("c1")])).await;
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

    p.t.deactivate(&p.destination).await;
    topic.publish(&json!([contoso_event("c2")])).await;
    let letters = topic.wait_for_dead_letters(&to_partner, 1).await;
    assert_eq!(letters[0]["id"], "c2");
    assert_eq!(
        letters[0]["deadletterreason"],
        "PartnerDestinationNotActivated"
    );

    p.t.customer.remove(&p.destination).await;
    let (status, _) = p.t.partner.get(&p.t.channel("to-fabrikam")).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the channel goes with its destination"
    );
    topic.publish(&json!([contoso_event("c3")])).await;
    let letters = topic.wait_for_dead_letters(&to_partner, 2).await;
    assert_eq!(letters[0]["id"], "c3");
    assert_eq!(letters[0]["deadletterreason"], "PartnerDestinationNotFound");
    assert_eq!(
        p.receiver.deliveries("partner").len(),
        1,
        "nothing reached the partner after the deactivation"
    );
}
