//! Customer topics: create or replace, patch, read, list, delete (with every event subscription
//! on it), and the keys. Names are unique in the deployment, as the endpoint is built on them.

use super::generations::Endpoint;
use super::namespaces::RegenerateKey;
use super::{
    Listed, PageRequest, Scope, by_name_index, event_subscriptions, list_resources, named,
    not_found,
};
use crate::auth::Caller;
use crate::error::Result;
use crate::ids::{ResourceId, ResourceType};
use crate::ports::{Expect, Ports};
use crate::provisioning::custom_topic::{
    CLOUD_EVENTS, CustomTopic, TopicInput, check_input_schema,
};
use crate::provisioning::namespace::NamespaceKeys;
use crate::resource::{Body, check_tags};
use crate::table::{self, Versioned};

/// Reads a topic of the caller's; missing is 404.
pub async fn read(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
) -> Result<Versioned<CustomTopic>> {
    caller.owns(id.subscription)?;
    table::get(ports.store.as_ref(), &table::resource_key(id))
        .await?
        .ok_or_else(|| not_found("topic", id))
}

fn endpoint(id: &ResourceId) -> Endpoint {
    Endpoint::Topic(id.name().to_owned())
}

/// The topic named `name` anywhere in the deployment (the data plane's lookup).
pub async fn by_name(ports: &Ports, name: &str) -> Result<Option<CustomTopic>> {
    by_name_index(ports.store.as_ref(), &table::topic_by_name(name)).await
}

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
    let store = ports.store.as_ref();
    let key = table::resource_key(id);
    let existing = table::get::<CustomTopic>(store, &key).await?;
    let mut topic = match &existing {
        Some(current) => CustomTopic {
            tags,
            ..current.value.clone()
        },
        None => CustomTopic {
            id: id.clone(),
            location: "global".into(),
            tags,
            input_schema: CLOUD_EVENTS.into(),
            access: Default::default(),
            keys: NamespaceKeys::generate()?,
        },
    };
    if let Some(location) = body.location {
        topic.location = location;
    }
    topic.access.apply(input.access)?;
    named::put(
        ports,
        id,
        &topic,
        table::expect_of(&existing),
        table::topic_by_name(id.name()),
        &endpoint(id),
        "topic",
    )
    .await?;
    Ok((topic, existing.is_none()))
}

/// Changes tags and the access settings; the input schema stays CloudEvents.
pub async fn patch(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
    body: Body<TopicInput>,
) -> Result<CustomTopic> {
    let current = read(ports, caller, id).await?;
    let mut topic = current.value.clone();
    if let Some(tags) = body.tags {
        check_tags(&tags)?;
        topic.tags = tags;
    }
    let input = body.properties.unwrap_or_default();
    check_input_schema(input.input_schema.as_deref())?;
    topic.access.apply(input.access)?;
    write(ports, &topic, current.expect()).await?;
    Ok(topic)
}

async fn write(ports: &Ports, topic: &CustomTopic, expect: Expect) -> Result<()> {
    ports
        .store
        .write(vec![
            table::put(table::resource_key(&topic.id), topic, expect)?,
            endpoint(&topic.id).bump(),
        ])
        .await
}

pub async fn get(ports: &Ports, caller: &Caller, id: &ResourceId) -> Result<CustomTopic> {
    Ok(read(ports, caller, id).await?.value)
}

pub async fn list(
    ports: &Ports,
    caller: &Caller,
    scope: &Scope,
    page: &PageRequest,
) -> Result<Listed<CustomTopic>> {
    list_resources(ports, caller, scope, ResourceType::Topics, page).await
}

/// Deletes the topic, its name and every event subscription on it (with their dead letters).
/// Missing is success; a repeated delete finishes what an interrupted one left.
pub async fn delete(ports: &Ports, caller: &Caller, id: &ResourceId) -> Result<()> {
    caller.owns(id.subscription)?;
    named::delete::<CustomTopic>(ports, id, table::topic_by_name(id.name()), &endpoint(id)).await?;
    event_subscriptions::delete_all(ports, id).await
}

/// Both keys, for the topic's owner only.
pub async fn list_keys(ports: &Ports, caller: &Caller, id: &ResourceId) -> Result<NamespaceKeys> {
    Ok(read(ports, caller, id).await?.value.keys)
}

/// Replaces one key; the other keeps working. Returns both.
pub async fn regenerate_key(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
    request: RegenerateKey,
) -> Result<NamespaceKeys> {
    let current = read(ports, caller, id).await?;
    named::regenerate_key(
        ports,
        id,
        current,
        |t| &mut t.keys,
        &request.key_name,
        &endpoint(id),
    )
    .await
}
