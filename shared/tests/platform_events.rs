//! Platform events about an event subscription: on its owner's system topic, none about a
//! subscription of the system topic itself.

use serde_json::json;
use shared::ids::{ResourceId, ResourceType, SubscriptionId};
use shared::usecases::support::platform_events::{about_subscription, system_topic};
use time::macros::datetime;

#[test]
fn a_subscription_event_goes_to_its_owners_system_topic_and_none_is_about_a_system_topics_subscription()
 {
    let owner = SubscriptionId(uuid::Uuid::new_v4());
    let topic = ResourceId::new(owner, "rg", ResourceType::Topics, "orders").unwrap();
    let id = topic
        .child(ResourceType::EventSubscriptions, "hook")
        .unwrap();
    let now = datetime!(2030-01-02 03:04:05 UTC);
    let data = json!({ "reason": "EndpointGone" });
    let event = about_subscription(&id, "EventSubscriptionDisabled", data.clone(), now)
        .unwrap()
        .unwrap();
    assert_eq!(event["type"], "PartnerEvents.EventSubscriptionDisabled");
    assert_eq!(event["subject"], id.to_string());
    assert_eq!(event["source"], system_topic(owner).unwrap().to_string());
    assert_eq!(event["time"], "2030-01-02T03:04:05Z");
    assert_eq!(event["data"], data);

    let on_system_topic = system_topic(owner)
        .unwrap()
        .child(ResourceType::EventSubscriptions, "hook")
        .unwrap();
    let none = about_subscription(&on_system_topic, "EventSubscriptionDisabled", data, now);
    assert_eq!(none.unwrap(), None);
}
