//! Customer topics: what differs from a partner namespace. Create or replace (CloudEvents input
//! only), patch, and delete with every event subscription on it; reads, lists and keys are
//! `endpoints`'. Names are unique in the deployment, as the endpoint is built on them.

use crate::auth::Caller;
use crate::error::Result;
use crate::ids::ResourceId;
use crate::ports::Ports;
use crate::provisioning::custom_topic::{
    CLOUD_EVENTS, CustomTopic, TopicInput, check_input_schema,
};
use crate::provisioning::endpoint::AccessKeys;
use crate::resource::{Body, check_tags};
use crate::usecases::resources::endpoints;
use crate::usecases::support::cascade;

/// Creates (true) or replaces (false) a topic; keys are generated on create and kept.
pub async fn put(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
    body: Body<TopicInput>,
) -> Result<(CustomTopic, bool)> {
    caller.owns(id.subscription)?;
    let tags = body.tags.unwrap_or_default();
    check_tags(&tags)?;
    let input = body.properties.unwrap_or_default();
    check_input_schema(input.input_schema.as_deref())?;
    let build = |existing: Option<&CustomTopic>, tags| {
        Ok(match existing {
            Some(current) => CustomTopic {
                tags,
                ..current.clone()
            },
            None => CustomTopic {
                id: id.clone(),
                location: "global".into(),
                tags,
                input_schema: CLOUD_EVENTS.into(),
                access: Default::default(),
                keys: AccessKeys::generate()?,
            },
        })
    };
    endpoints::put(ports, id, tags, body.location, input.access, build).await
}

/// Changes tags and the access settings; the input schema stays CloudEvents.
pub async fn patch(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
    body: Body<TopicInput>,
) -> Result<CustomTopic> {
    let input = body.properties.unwrap_or_default();
    let schema = input.input_schema;
    endpoints::patch(ports, caller, id, body.tags, input.access, || {
        check_input_schema(schema.as_deref())
    })
    .await
}

/// Deletes the topic, its name and every event subscription on it (with their dead letters).
/// Missing is success; a repeated delete finishes what an interrupted one left.
pub async fn delete(ports: &Ports, caller: &Caller, id: &ResourceId) -> Result<()> {
    endpoints::delete::<CustomTopic>(ports, caller, id).await?;
    cascade::subscriptions_of(ports, id).await
}
