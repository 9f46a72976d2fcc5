//! Platform events: CloudEvents the platform publishes to each customer subscription's system
//! topic when a partner topic or destination is provisioned, activated, deactivated, expires or
//! is deleted, when an event subscription is disabled, and when an event is dead-lettered.
//!
//! Every event is written to an outbox in the same atomic write as the change it reports (the
//! activation, the deletion, the dead letter...), so none is lost or reported for a change that
//! failed; `flows::relay` moves them to a queue the fan-out handler reads right after the
//! change and on every sweep.

pub(crate) mod outbox;

use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::ids::{ResourceId, ResourceType, SubscriptionId};
use crate::provisioning::topic::PartnerTopic;

pub use outbox::{SHARDS, record, shard_of};

/// The resource group and name of every subscription's system topic.
pub const SYSTEM_RESOURCE_GROUP: &str = "eventgrid-system";
pub const SYSTEM_TOPIC: &str = "platform-events";
/// The `topicType` a system topic shows.
pub const TOPIC_TYPE: &str = "PartnerEvents.Platform";

/// What happened to a partner topic or partner destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    Provisioned,
    Activated,
    Deactivated,
    Expired,
    Deleted,
}

/// The system topic of `subscription`.
pub fn system_topic(subscription: SubscriptionId) -> Result<ResourceId> {
    ResourceId::new(
        subscription,
        SYSTEM_RESOURCE_GROUP,
        ResourceType::SystemTopics,
        SYSTEM_TOPIC,
    )
}

/// True when `topic` is the system topic of its subscription.
pub fn is_system_topic(topic: &ResourceId) -> bool {
    topic.kind() == ResourceType::SystemTopics
        && topic
            .resource_group
            .eq_ignore_ascii_case(SYSTEM_RESOURCE_GROUP)
        && topic.name().eq_ignore_ascii_case(SYSTEM_TOPIC)
}

/// The event type of a lifecycle change, e.g. `PartnerEvents.PartnerTopicActivated`.
pub fn lifecycle_type(kind: ResourceType, what: Lifecycle) -> String {
    let resource = match kind {
        ResourceType::PartnerDestinations => "PartnerDestination",
        _ => "PartnerTopic",
    };
    format!("PartnerEvents.{resource}{what:?}")
}

/// A platform CloudEvent about `subject` (a resource id) for `subscription`'s system topic.
pub fn event(
    subscription: SubscriptionId,
    kind: &str,
    subject: &ResourceId,
    data: Value,
    now: OffsetDateTime,
) -> Result<Value> {
    Ok(json!({
        "specversion": "1.0",
        "id": uuid::Uuid::new_v4().to_string(),
        "source": system_topic(subscription)?.to_string(),
        "type": kind,
        "subject": subject.to_string(),
        "time": crate::time_format::rfc3339(now),
        "datacontenttype": "application/json",
        "data": data,
    }))
}

/// A platform event `PartnerEvents.{kind}` about event subscription `id`, for its owner's
/// system topic; none for a subscription on a system topic (no event about an event).
pub fn about_subscription(
    id: &ResourceId,
    kind: &str,
    data: Value,
    now: OffsetDateTime,
) -> Result<Option<Value>> {
    if is_system_topic(&id.top()?) {
        return Ok(None);
    }
    event(
        id.subscription,
        &format!("PartnerEvents.{kind}"),
        id,
        data,
        now,
    )
    .map(Some)
}

/// The lifecycle event of `topic` (a partner topic or destination), on its customer's system
/// topic.
pub fn lifecycle(topic: &PartnerTopic, what: Lifecycle, now: OffsetDateTime) -> Result<Value> {
    let mut data = json!({
        "resourceId": topic.id.to_string(),
        "activationState": topic.activation_state,
        "partnerRegistrationImmutableId": topic.partner_registration_immutable_id,
        "expirationTimeIfNotActivatedUtc": crate::time_format::rfc3339(topic.expiration_time_if_not_activated_utc),
    });
    if let Some(message) = &topic.message_for_activation {
        data["messageForActivation"] = json!(message);
    }
    event(
        topic.id.subscription,
        &lifecycle_type(topic.id.kind(), what),
        &topic.id,
        data,
        now,
    )
}

/// A system topic as the API shows it.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemTopicProperties {
    pub source: String,
    pub topic_type: &'static str,
    pub provisioning_state: &'static str,
}

/// The caller's system topic at `id` (the only one its subscription has); otherwise 404.
pub fn get(
    caller: &crate::auth::Caller,
    id: &ResourceId,
) -> Result<crate::resource::View<SystemTopicProperties>> {
    caller.owns(id.subscription)?;
    if !is_system_topic(id) {
        return Err(Error::not_found(
            crate::error::code::RESOURCE_NOT_FOUND,
            format!(
                "system topic '{id}' was not found; each subscription has one, '{}'",
                system_topic(id.subscription)?
            ),
        ));
    }
    view(id.subscription)
}

/// The caller's system topics in `scope`: the subscription's one, unless another resource
/// group is asked for.
pub fn list(
    caller: &crate::auth::Caller,
    scope: &crate::usecases::support::listing::Scope,
) -> Result<Vec<crate::resource::View<SystemTopicProperties>>> {
    caller.owns(scope.subscription)?;
    match scope.resource_group.as_deref() {
        Some(rg) if !rg.eq_ignore_ascii_case(SYSTEM_RESOURCE_GROUP) => Ok(Vec::new()),
        _ => Ok(vec![view(scope.subscription)?]),
    }
}

fn view(subscription: SubscriptionId) -> Result<crate::resource::View<SystemTopicProperties>> {
    Ok(crate::resource::View::new(
        &system_topic(subscription)?,
        Some("global".into()),
        None,
        SystemTopicProperties {
            source: format!("/subscriptions/{subscription}"),
            topic_type: TOPIC_TYPE,
            provisioning_state: crate::resource::SUCCEEDED,
        },
    ))
}
