//! Rule tests for resource ids and Azure's naming rules.

use proptest::prelude::*;
use shared::error::code;
use shared::ids::{
    ResourceId, ResourceType, SubscriptionId, check_resource_group, check_resource_name,
};

const SUB: &str = "5b4b650e-28b9-4790-b3ab-ddbd88d727c4";

#[test]
fn resource_group_names_follow_azure_rules() {
    let table: &[(&str, bool)] = &[
        ("rg", true),
        ("a", true),
        ("My_Resource-Group.(prod)", true),
        ("grupo-ñandú", true),
        (&"r".repeat(90), true),
        ("", false),
        (&"r".repeat(91), false),
        ("ends-with-dot.", false),
        ("has space", false),
        ("slash/rg", false),
        ("hash#rg", false),
        ("star*", false),
    ];
    for (name, ok) in table {
        let result = check_resource_group(name);
        assert_eq!(result.is_ok(), *ok, "{name:?}");
        if let Err(e) = result {
            assert_eq!(e.code, code::INVALID_RESOURCE_GROUP_NAME);
            assert!(
                e.message.contains(name),
                "the error names the bad segment: {}",
                e.message
            );
        }
    }
}

#[test]
fn resource_names_are_3_to_50_letters_digits_or_hyphens() {
    let table: &[(&str, bool)] = &[
        ("abc", true),
        ("my-topic-1", true),
        ("ABC-def-123", true),
        (&"n".repeat(50), true),
        ("ab", false),
        (&"n".repeat(51), false),
        ("under_score", false),
        ("dot.name", false),
        ("ünïcode", false),
        ("space name", false),
    ];
    for (name, ok) in table {
        let result = check_resource_name("partner topic", name);
        assert_eq!(result.is_ok(), *ok, "{name:?}");
        if let Err(e) = result {
            assert_eq!(e.code, code::INVALID_RESOURCE_NAME);
            assert!(e.message.contains("partner topic name"), "{}", e.message);
        }
    }
}

#[test]
fn subscription_ids_must_be_uuids() {
    assert!(SubscriptionId::parse(SUB).is_ok());
    let e = SubscriptionId::parse("my-subscription").unwrap_err();
    assert_eq!(e.code, code::INVALID_SUBSCRIPTION_ID);
    assert!(e.message.contains("my-subscription"));
}

#[test]
fn a_resource_id_parses_case_insensitively_and_prints_in_azure_casing() {
    let raw = format!(
        "/SUBSCRIPTIONS/{SUB}/resourcegroups/Rg1/PROVIDERS/microsoft.eventgrid/PARTNERNAMESPACES/ns-1/Channels/ch-1"
    );
    let id: ResourceId = raw.parse().unwrap();
    assert_eq!(
        id.to_string(),
        format!(
            "/subscriptions/{SUB}/resourceGroups/Rg1/providers/Microsoft.EventGrid/partnerNamespaces/ns-1/channels/ch-1"
        )
    );
    assert_eq!(id.kind(), ResourceType::Channels);
    assert_eq!(id.name(), "ch-1");
    assert_eq!(
        id.type_name(),
        "Microsoft.EventGrid/partnerNamespaces/channels"
    );
}

#[test]
fn a_malformed_resource_id_names_the_bad_segment() {
    let table: &[(String, &str, &str)] = &[
        (
            format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Storage/topics/t1"),
            code::INVALID_RESOURCE_ID,
            "Microsoft.Storage",
        ),
        (
            "/subscriptions/not-a-uuid/resourceGroups/rg/providers/Microsoft.EventGrid/topics/t1"
                .to_owned(),
            code::INVALID_SUBSCRIPTION_ID,
            "not-a-uuid",
        ),
        (
            format!(
                "/subscriptions/{SUB}/resourceGroups/bad./providers/Microsoft.EventGrid/topics/t1"
            ),
            code::INVALID_RESOURCE_GROUP_NAME,
            "bad.",
        ),
        (
            format!(
                "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.EventGrid/widgets/w1"
            ),
            code::INVALID_RESOURCE_TYPE,
            "widgets",
        ),
        (
            format!(
                "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.EventGrid/topics/x"
            ),
            code::INVALID_RESOURCE_NAME,
            "'x'",
        ),
        (
            format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.EventGrid/topics"),
            code::INVALID_RESOURCE_ID,
            "needs a type and a name",
        ),
        (
            format!(
                "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.EventGrid/channels/c1"
            ),
            code::INVALID_RESOURCE_ID,
            "channels",
        ),
        (
            format!("/subscriptions/{SUB}/groups/rg/providers/Microsoft.EventGrid/topics/t1"),
            code::INVALID_RESOURCE_ID,
            "'groups'",
        ),
        ("".to_owned(), code::INVALID_RESOURCE_ID, "subscriptions"),
    ];
    for (raw, want, names) in table {
        let e = raw.parse::<ResourceId>().unwrap_err();
        assert_eq!(e.code, *want, "{raw}: {}", e.message);
        assert!(
            e.message.contains(names),
            "{raw}: '{}' should name {names}",
            e.message
        );
    }
}

#[test]
fn storage_keys_ignore_name_case_so_names_are_unique_case_insensitively() {
    let sub = SubscriptionId::parse(SUB).unwrap();
    let a = ResourceId::new(sub, "RG", ResourceType::PartnerTopics, "Orders").unwrap();
    let b = ResourceId::new(sub, "rg", ResourceType::PartnerTopics, "ORDERS").unwrap();
    assert_eq!(a.storage_sort_key(), b.storage_sort_key());
    assert_eq!(a.storage_sort_key(), "partnerTopics#rg#orders");
}

proptest! {
    #[test]
    fn every_valid_resource_id_round_trips(
        rg in "[A-Za-z0-9_().-]{0,89}[A-Za-z0-9_()-]",
        name in "[A-Za-z0-9-]{3,50}",
        child in "[A-Za-z0-9-]{3,50}",
    ) {
        let sub = SubscriptionId::parse(SUB).unwrap();
        let id = ResourceId::new(sub, &rg, ResourceType::PartnerNamespaces, &name).unwrap()
            .child(ResourceType::Channels, &child).unwrap();
        let parsed: ResourceId = id.to_string().parse().unwrap();
        prop_assert_eq!(parsed, id);
    }
}
