//! Rule tests for provisioning: routing mode immutability, what a channel PATCH may carry,
//! activation deadlines, the activation state machine and expiry.

use shared::error::code;
use shared::ids::{ResourceId, ResourceType, SubscriptionId};
use shared::provisioning::channel::{
    Channel, ChannelPatch, ChannelType, PartnerTopicInfoInput, ReadinessState, check_replacement,
};
use shared::provisioning::endpoint::AccessKeys;
use shared::provisioning::namespace::{RoutingMode, check_routing_mode_unchanged};
use shared::provisioning::topic::{Activation, ActivationState, transition};
use shared::provisioning::{DEFAULT_ACTIVATION_WINDOW, activation_deadline};
use time::{Duration, OffsetDateTime, macros::datetime};

const NOW: OffsetDateTime = datetime!(2026-11-24 12:00 UTC);
const SUB: &str = "5b4b650e-28b9-4790-b3ab-ddbd88d727c4";

#[test]
fn the_routing_mode_of_a_namespace_never_changes() {
    use RoutingMode::*;
    assert!(check_routing_mode_unchanged(SourceEventAttribute, None).is_ok());
    assert!(check_routing_mode_unchanged(SourceEventAttribute, Some(SourceEventAttribute)).is_ok());
    assert!(check_routing_mode_unchanged(ChannelNameHeader, Some(ChannelNameHeader)).is_ok());
    for (current, requested) in [
        (SourceEventAttribute, ChannelNameHeader),
        (ChannelNameHeader, SourceEventAttribute),
    ] {
        assert_eq!(
            check_routing_mode_unchanged(current, Some(requested))
                .unwrap_err()
                .code,
            code::IMMUTABLE_PROPERTY
        );
    }
    assert_eq!(
        RoutingMode::default(),
        SourceEventAttribute,
        "Azure's default"
    );
}

#[test]
fn regenerating_one_key_leaves_the_other() {
    let mut keys = AccessKeys::generate().unwrap();
    let before = keys.clone();
    keys.regenerate("key2").unwrap();
    assert_eq!(keys.key1, before.key1);
    assert_ne!(keys.key2, before.key2);
    assert_eq!(
        keys.regenerate("primary").unwrap_err().code,
        code::INVALID_KEY_NAME
    );
    assert_eq!(format!("{keys:?}"), "AccessKeys(..)");
}

#[test]
fn a_channel_patch_carries_only_the_deadline_and_the_event_types() {
    let allowed = [
        r#"{}"#,
        r#"{"expirationTimeIfNotActivatedUtc": "2026-12-01T00:00:00Z"}"#,
        r#"{"partnerTopicInfo": {"eventTypeInfo": {"kind": "Inline"}}}"#,
    ];
    for body in allowed {
        assert!(serde_json::from_str::<ChannelPatch>(body).is_ok(), "{body}");
    }
    let refused = [
        r#"{"messageForActivation": "x"}"#,
        r#"{"channelType": "PartnerTopic"}"#,
        r#"{"partnerTopicInfo": {"name": "other"}}"#,
        r#"{"partnerTopicInfo": {"source": "other"}}"#,
        r#"{"readinessState": "Activated"}"#,
    ];
    for body in refused {
        let e = serde_json::from_str::<ChannelPatch>(body).unwrap_err();
        assert!(e.to_string().contains("unknown field"), "{body}: {e}");
    }
}

#[test]
fn the_activation_deadline_defaults_to_seven_days_and_must_be_in_the_future() {
    assert_eq!(
        activation_deadline(None, NOW).unwrap(),
        NOW + Duration::days(7)
    );
    assert_eq!(DEFAULT_ACTIVATION_WINDOW, Duration::days(7));
    assert_eq!(
        activation_deadline(Some(NOW + Duration::hours(1)), NOW).unwrap(),
        NOW + Duration::hours(1)
    );
    for past in [NOW, NOW - Duration::seconds(1)] {
        assert_eq!(
            activation_deadline(Some(past), NOW).unwrap_err().code,
            code::INVALID_ACTIVATION_EXPIRATION
        );
    }
}

#[test]
fn every_activation_transition() {
    use ActivationState::*;
    let table = [
        (NeverActivated, Activation::Activate, Ok(Activated)),
        (
            NeverActivated,
            Activation::Deactivate,
            Err(code::INVALID_ACTIVATION_TRANSITION),
        ),
        (Activated, Activation::Activate, Ok(Activated)),
        (Activated, Activation::Deactivate, Ok(Deactivated)),
        (Deactivated, Activation::Activate, Ok(Activated)),
        (Deactivated, Activation::Deactivate, Ok(Deactivated)),
    ];
    for (from, action, want) in table {
        let got = transition(from, action).map_err(|e| e.code);
        assert_eq!(got, want, "{from:?} {action:?}");
    }
}

fn channel(readiness: ReadinessState, deadline: OffsetDateTime) -> Channel {
    let sub = SubscriptionId::parse(SUB).unwrap();
    let info = PartnerTopicInfoInput {
        azure_subscription_id: Some(SUB.into()),
        resource_group_name: Some("rg".into()),
        name: Some("topic-a".into()),
        source: Some("src".into()),
        event_type_info: None,
    };
    Channel {
        id: ResourceId::new(sub, "rg", ResourceType::PartnerNamespaces, "ns1")
            .unwrap()
            .child(ResourceType::Channels, "ch1")
            .unwrap(),
        channel_type: ChannelType::PartnerTopic,
        partner_topic_info: info.validate(true).unwrap(),
        message_for_activation: Some("hello".into()),
        expiration_time_if_not_activated_utc: deadline,
        readiness_state: readiness,
    }
}

#[test]
fn only_a_never_activated_channel_expires_and_only_from_its_deadline_on() {
    let deadline = NOW + Duration::hours(1);
    let pending = channel(ReadinessState::NeverActivated, deadline);
    assert!(!pending.is_expired(deadline - Duration::seconds(1)));
    assert!(pending.is_expired(deadline));
    assert!(
        !channel(ReadinessState::Activated, deadline).is_expired(deadline + Duration::days(365))
    );
}

#[test]
fn partner_topic_info_names_what_is_missing_or_wrong() {
    let full = || PartnerTopicInfoInput {
        azure_subscription_id: Some(SUB.into()),
        resource_group_name: Some("rg".into()),
        name: Some("topic-a".into()),
        source: Some("src".into()),
        event_type_info: None,
    };
    assert!(full().validate(true).is_ok());
    assert!(
        PartnerTopicInfoInput {
            source: None,
            ..full()
        }
        .validate(false)
        .is_ok(),
        "source is optional when routing by channel name"
    );
    let cases = [
        (
            PartnerTopicInfoInput {
                source: None,
                ..full()
            },
            code::INVALID_PROPERTY,
            "source is required",
        ),
        (
            PartnerTopicInfoInput {
                azure_subscription_id: None,
                ..full()
            },
            code::INVALID_PROPERTY,
            "azureSubscriptionId",
        ),
        (
            PartnerTopicInfoInput {
                azure_subscription_id: Some("x".into()),
                ..full()
            },
            code::INVALID_SUBSCRIPTION_ID,
            "'x'",
        ),
        (
            PartnerTopicInfoInput {
                resource_group_name: Some("bad rg".into()),
                ..full()
            },
            code::INVALID_RESOURCE_GROUP_NAME,
            "bad rg",
        ),
        (
            PartnerTopicInfoInput {
                name: Some("t".into()),
                ..full()
            },
            code::INVALID_RESOURCE_NAME,
            "'t'",
        ),
        (
            PartnerTopicInfoInput {
                source: Some("s".repeat(1025)),
                ..full()
            },
            code::INVALID_PROPERTY,
            "longer than 1024",
        ),
    ];
    for (input, want, says) in cases {
        let e = input.validate(true).unwrap_err();
        assert_eq!(e.code, want, "{}", e.message);
        assert!(
            e.message.contains(says),
            "'{}' should say '{says}'",
            e.message
        );
    }
}

#[test]
fn replacing_a_channel_may_not_move_its_topic_or_source() {
    let current = channel(ReadinessState::NeverActivated, NOW);
    let same = current.partner_topic_info.clone();
    assert!(check_replacement(&current, &same, &None).is_ok());
    assert!(check_replacement(&current, &same, &Some("hello".into())).is_ok());
    let mut moved = same.clone();
    moved.name = "topic-b".into();
    assert_eq!(
        check_replacement(&current, &moved, &None).unwrap_err().code,
        code::IMMUTABLE_PROPERTY
    );
    let mut resourced = same.clone();
    resourced.source = Some("other".into());
    assert!(check_replacement(&current, &resourced, &None).is_err());
    assert!(check_replacement(&current, &same, &Some("changed".into())).is_err());
}

#[test]
fn partner_destination_info_needs_a_webhook_endpoint_and_names_a_destination() {
    use shared::provisioning::channel::{DestinationEndpointInput, PartnerDestinationInfoInput};
    let full = || PartnerDestinationInfoInput {
        azure_subscription_id: Some(SUB.into()),
        resource_group_name: Some("rg".into()),
        name: Some("to-partner".into()),
        endpoint_service_context: Some("tenant-42".into()),
        endpoint_type: Some("WebHook".into()),
        properties: Some(DestinationEndpointInput {
            endpoint_url: Some("https://partner.example/hook?code=s3cret".into()),
            endpoint_base_url: None,
        }),
    };
    let info = full().validate().unwrap();
    let id = info.topic_id().unwrap();
    assert_eq!(id.kind(), ResourceType::PartnerDestinations);
    assert_eq!(id.name(), "to-partner");
    let endpoint = info.destination.unwrap();
    assert_eq!(endpoint.endpoint_base_url, "https://partner.example/hook");
    assert_eq!(
        endpoint.endpoint_service_context.as_deref(),
        Some("tenant-42")
    );
    assert!(info.source.is_none());

    let cases = [
        (
            PartnerDestinationInfoInput {
                properties: None,
                ..full()
            },
            "endpointUrl",
        ),
        (
            PartnerDestinationInfoInput {
                endpoint_type: Some("EventHub".into()),
                ..full()
            },
            "'WebHook'",
        ),
        (
            PartnerDestinationInfoInput {
                properties: Some(DestinationEndpointInput {
                    endpoint_url: Some("ftp://partner.example".into()),
                    endpoint_base_url: None,
                }),
                ..full()
            },
            "http",
        ),
        (
            PartnerDestinationInfoInput {
                name: None,
                ..full()
            },
            "name",
        ),
        (
            PartnerDestinationInfoInput {
                azure_subscription_id: Some("nope".into()),
                ..full()
            },
            "UUID",
        ),
    ];
    for (input, needle) in cases {
        let e = input.validate().unwrap_err();
        assert!(e.message.contains(needle), "{needle}: {}", e.message);
    }
}
