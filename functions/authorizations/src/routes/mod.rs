//! Handlers: parse the request, call one use case, shape the response.

pub mod admin;
pub mod configurations;
pub mod registrations;

use shared::error::Result;
use shared::ids::{ResourceId, ResourceType, SubscriptionId};

/// The resource id a management path names, validating each segment.
fn resource_id(
    subscription: &str,
    resource_group: &str,
    kind: ResourceType,
    name: &str,
) -> Result<ResourceId> {
    ResourceId::new(
        SubscriptionId::parse(subscription)?,
        resource_group,
        kind,
        name,
    )
}
