//! Rule tests for a channel PUT: which info its type needs, when it replaces and when it
//! creates, and what it creates (or why not) from the namespace, the customer's authorization
//! and the time.

use serde_json::{Value, json};
use shared::error::{ErrorKind, code};
use shared::ids::{ResourceId, ResourceType, SubscriptionId};
use shared::partners::configuration::{AuthorizedPartner, PartnerConfiguration};
use shared::provisioning::DEFAULT_ACTIVATION_WINDOW;
use shared::provisioning::access::Access;
use shared::provisioning::channel::{Channel, ChannelType, ReadinessState};
use shared::provisioning::channel_put::{ChannelPut, ChannelRequest, NewChannel};
use shared::provisioning::endpoint::AccessKeys;
use shared::provisioning::namespace::{PartnerNamespace, RoutingMode};
use shared::provisioning::topic::ActivationState;
use shared::subscriptions::SigningSecrets;
use time::{Duration, OffsetDateTime, macros::datetime};
use uuid::Uuid;

const NOW: OffsetDateTime = datetime!(2026-11-24 12:00 UTC);
const PARTNER_SUB: &str = "5b4b650e-28b9-4790-b3ab-ddbd88d727c4";
const CUSTOMER_SUB: &str = "8a0e3f4c-9d1b-4c6e-a2f7-3b5d9e1c7a40";
const PARTNER: Uuid = Uuid::from_u128(0x1234);

fn namespace(routing: RoutingMode) -> PartnerNamespace {
    let sub = SubscriptionId::parse(PARTNER_SUB).unwrap();
    PartnerNamespace {
        id: ResourceId::new(
            sub,
            "partner-rg",
            ResourceType::PartnerNamespaces,
            "contoso-ns",
        )
        .unwrap(),
        location: "global".into(),
        tags: Default::default(),
        partner_registration_fully_qualified_id: ResourceId::new(
            sub,
            "partner-rg",
            ResourceType::PartnerRegistrations,
            "contoso",
        )
        .unwrap(),
        partner_registration_immutable_id: PARTNER,
        partner_topic_routing_mode: routing,
        access: Access::default(),
        keys: AccessKeys::generate().unwrap(),
    }
}

fn channel_id() -> ResourceId {
    namespace(RoutingMode::SourceEventAttribute)
        .id
        .child(ResourceType::Channels, "orders")
        .unwrap()
}

fn topic_info() -> Value {
    json!({
        "azureSubscriptionId": CUSTOMER_SUB,
        "resourceGroupName": "customer-rg",
        "name": "orders",
        "source": "contoso/orders",
    })
}

fn destination_info() -> Value {
    json!({
        "azureSubscriptionId": CUSTOMER_SUB,
        "resourceGroupName": "customer-rg",
        "name": "inbox",
        "properties": { "endpointUrl": "https://partner.example/hook" },
    })
}

fn request(properties: Value, routing: RoutingMode) -> shared::Result<ChannelRequest> {
    ChannelRequest::new(serde_json::from_value(properties).unwrap(), routing)
}

fn topic_request() -> ChannelRequest {
    request(
        json!({ "partnerTopicInfo": topic_info() }),
        RoutingMode::SourceEventAttribute,
    )
    .unwrap()
}

/// The customer's configuration authorizing the partner until `until`.
fn authorized_until(until: OffsetDateTime) -> PartnerConfiguration {
    let sub = SubscriptionId::parse(CUSTOMER_SUB).unwrap();
    let id = ResourceId::new(
        sub,
        "customer-rg",
        ResourceType::PartnerConfigurations,
        "default",
    )
    .unwrap();
    let mut config = PartnerConfiguration::new(id, 7);
    config
        .authorize(AuthorizedPartner {
            partner_registration_immutable_id: PARTNER,
            partner_name: "contoso".into(),
            authorization_expiration_time_in_utc: until,
        })
        .unwrap();
    config
}

fn created(request: ChannelRequest, routing: RoutingMode) -> NewChannel {
    let config = authorized_until(NOW + Duration::days(1));
    let signing = Some(SigningSecrets::generate().unwrap());
    request
        .create(
            &channel_id(),
            &namespace(routing),
            Some(&config),
            signing,
            NOW,
        )
        .unwrap()
}

#[test]
fn a_channel_needs_the_info_of_its_type_and_a_source_where_its_namespace_routes_by_source() {
    use RoutingMode::*;
    let mut sourceless = topic_info();
    sourceless.as_object_mut().unwrap().remove("source");
    let cases = [
        (
            json!({}),
            SourceEventAttribute,
            Some("partnerTopicInfo is required"),
        ),
        (
            json!({ "channelType": "PartnerDestination", "partnerTopicInfo": topic_info() }),
            SourceEventAttribute,
            Some("partnerDestinationInfo is required"),
        ),
        (
            json!({ "partnerTopicInfo": sourceless.clone() }),
            SourceEventAttribute,
            Some("source is required"),
        ),
        (
            json!({ "partnerTopicInfo": sourceless }),
            ChannelNameHeader,
            None,
        ),
        (
            json!({ "partnerTopicInfo": topic_info() }),
            SourceEventAttribute,
            None,
        ),
        (
            json!({ "channelType": "PartnerDestination", "partnerDestinationInfo": destination_info() }),
            SourceEventAttribute,
            None,
        ),
    ];
    for (properties, routing, error) in cases {
        let checked = request(properties.clone(), routing);
        match error {
            None => assert!(checked.is_ok(), "{properties}: {checked:?}"),
            Some(message) => {
                let e = checked.unwrap_err();
                assert_eq!(e.code, code::INVALID_PROPERTY, "{properties}");
                assert!(e.message.contains(message), "{properties}: {}", e.message);
            }
        }
    }
}

#[test]
fn a_put_replaces_only_a_live_channel_and_only_as_a_patch_would() {
    let live = created(topic_request(), RoutingMode::SourceEventAttribute).channel;
    let expired = Channel {
        expiration_time_if_not_activated_utc: NOW - Duration::seconds(1),
        ..live.clone()
    };
    let activated_long_ago = Channel {
        readiness_state: ReadinessState::Activated,
        ..expired.clone()
    };
    let request = topic_request();
    let against = |stored: Option<&Channel>| request.against(stored, NOW);
    assert!(matches!(against(None).unwrap(), ChannelPut::Create));
    assert!(matches!(
        against(Some(&expired)).unwrap(),
        ChannelPut::Create
    ));
    assert!(matches!(
        against(Some(&live)).unwrap(),
        ChannelPut::Replace(_)
    ));
    assert!(matches!(
        against(Some(&activated_long_ago)).unwrap(),
        ChannelPut::Replace(_)
    ));

    let deadline = NOW + Duration::days(2);
    let types = json!({ "kind": "Inline", "inlineEventTypes": { "Order.Created": {} } });
    let mut info = topic_info();
    info["eventTypeInfo"] = types.clone();
    let retyped = self::request(
        json!({ "partnerTopicInfo": info, "expirationTimeIfNotActivatedUtc": "2026-11-26T12:00:00Z" }),
        RoutingMode::SourceEventAttribute,
    )
    .unwrap();
    let ChannelPut::Replace(patch) = retyped.against(Some(&live), NOW).unwrap() else {
        panic!("a live channel is replaced");
    };
    assert_eq!(patch.expiration_time_if_not_activated_utc, Some(deadline));
    let patched_types = patch.partner_topic_info.unwrap().event_type_info.unwrap();
    assert_eq!(serde_json::to_value(patched_types).unwrap(), types);

    let mut renamed = topic_info();
    renamed["name"] = json!("other");
    let mut resourced = topic_info();
    resourced["source"] = json!("contoso/other");
    for info in [renamed, resourced] {
        let changed = self::request(
            json!({ "partnerTopicInfo": info }),
            RoutingMode::SourceEventAttribute,
        )
        .unwrap();
        let e = changed.against(Some(&live), NOW).unwrap_err();
        assert_eq!(e.code, code::IMMUTABLE_PROPERTY);
    }
}

#[test]
fn a_new_channel_and_its_topic_wait_for_activation_until_the_deadline() {
    let new = created(topic_request(), RoutingMode::SourceEventAttribute);
    let deadline = NOW + DEFAULT_ACTIVATION_WINDOW;
    assert_eq!(new.channel.id, channel_id());
    assert_eq!(new.channel.channel_type, ChannelType::PartnerTopic);
    assert_eq!(new.channel.readiness_state, ReadinessState::NeverActivated);
    assert_eq!(new.channel.expiration_time_if_not_activated_utc, deadline);
    assert_eq!(
        new.topic.id,
        new.channel.partner_topic_info.topic_id().unwrap()
    );
    assert_eq!(new.topic.id.resource_group, "customer-rg");
    assert_eq!(new.topic.channel, channel_id());
    assert_eq!(new.topic.partner_registration_immutable_id, PARTNER);
    assert_eq!(new.topic.activation_state, ActivationState::NeverActivated);
    assert_eq!(new.topic.expiration_time_if_not_activated_utc, deadline);
    assert_eq!(new.topic.source.as_deref(), Some("contoso/orders"));
    assert!(new.topic.signing.is_none(), "a partner topic signs nothing");
    assert!(new.routes_by_source);

    let by_header = request(
        json!({ "partnerTopicInfo": topic_info() }),
        RoutingMode::ChannelNameHeader,
    )
    .unwrap();
    assert!(!created(by_header, RoutingMode::ChannelNameHeader).routes_by_source);

    let destination = request(
        json!({ "channelType": "PartnerDestination", "partnerDestinationInfo": destination_info() }),
        RoutingMode::SourceEventAttribute,
    )
    .unwrap();
    assert!(destination.is_destination());
    let new = created(destination, RoutingMode::SourceEventAttribute);
    assert_eq!(new.topic.id.kind(), ResourceType::PartnerDestinations);
    assert!(
        new.topic.signing.is_some(),
        "a destination signs its deliveries"
    );
    assert_eq!(
        new.topic.destination.unwrap().endpoint_url,
        "https://partner.example/hook"
    );
}

#[test]
fn a_channel_is_created_only_before_its_deadline_and_under_an_unexpired_authorization() {
    let in_past = "2026-11-24T11:00:00Z";
    let cases: [(Option<&str>, Option<PartnerConfiguration>, Option<&str>); 6] = [
        (
            None,
            Some(authorized_until(NOW + Duration::seconds(1))),
            None,
        ),
        (None, None, Some(code::PARTNER_NOT_AUTHORIZED)),
        (
            None,
            Some(authorized_until(NOW)),
            Some(code::PARTNER_NOT_AUTHORIZED),
        ),
        (
            Some(in_past),
            Some(authorized_until(NOW + Duration::days(1))),
            Some(code::INVALID_ACTIVATION_EXPIRATION),
        ),
        (
            Some(in_past),
            None,
            Some(code::INVALID_ACTIVATION_EXPIRATION),
        ),
        (
            Some("2026-11-25T12:00:00+02:00"),
            Some(authorized_until(NOW + Duration::days(1))),
            None,
        ),
    ];
    for (deadline, config, error) in cases {
        let mut properties = json!({ "partnerTopicInfo": topic_info() });
        if let Some(deadline) = deadline {
            properties["expirationTimeIfNotActivatedUtc"] = json!(deadline);
        }
        let request = request(properties, RoutingMode::SourceEventAttribute).unwrap();
        let namespace = namespace(RoutingMode::SourceEventAttribute);
        let made = request.create(&channel_id(), &namespace, config.as_ref(), None, NOW);
        match error {
            None => {
                let channel = made.unwrap().channel;
                let at = channel.expiration_time_if_not_activated_utc;
                assert_eq!(at.offset(), time::UtcOffset::UTC, "{deadline:?}");
            }
            Some(expected) => {
                let e = made.unwrap_err();
                assert_eq!(e.code, expected, "{deadline:?}");
                if expected == code::PARTNER_NOT_AUTHORIZED {
                    assert_eq!(e.kind, ErrorKind::Forbidden);
                    assert!(e.message.contains("'customer-rg'"), "{}", e.message);
                }
            }
        }
    }
}
