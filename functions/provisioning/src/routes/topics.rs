//! Partner topic and partner destination routes (the customer's side): the same records and
//! rules, each handler generic over the [`Paired`] kind its route serves.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use infra::App;
use infra::http::{
    ApiError, Authenticated, JsonBody, Links, PageQuery, PathParams, ScopePath, deleted,
    list_response,
};
use shared::ids::{ResourceId, ResourceType};
use shared::provisioning::topic::{Activation, PartnerTopic};
use shared::resource::Body;
use shared::usecases::resources::partner_topics;

type Params = PathParams<(String, String, String)>;

/// What a partner's channel creates in a customer's resource group, and how it is shown.
pub trait Paired: Send + Sync + 'static {
    const KIND: ResourceType;
    fn show(topic: &PartnerTopic) -> serde_json::Value;
}

pub struct Topic;
impl Paired for Topic {
    const KIND: ResourceType = ResourceType::PartnerTopics;
    fn show(topic: &PartnerTopic) -> serde_json::Value {
        serde_json::to_value(topic.view()).unwrap_or_default()
    }
}

pub struct Destination;
impl Paired for Destination {
    const KIND: ResourceType = ResourceType::PartnerDestinations;
    fn show(topic: &PartnerTopic) -> serde_json::Value {
        serde_json::to_value(topic.destination_view()).unwrap_or_default()
    }
}

pub async fn get<K: Paired>(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, name)): Params,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, K::KIND, &name)?;
    Ok(Json(K::show(
        &partner_topics::get(&app.ports, &caller, &id).await?,
    ))
    .into_response())
}

pub async fn patch<K: Paired>(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, name)): Params,
    JsonBody(body): JsonBody<Body<serde_json::Value>>,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, K::KIND, &name)?;
    Ok(Json(K::show(
        &partner_topics::patch(&app.ports, &caller, &id, body).await?,
    ))
    .into_response())
}

pub async fn delete<K: Paired>(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, name)): Params,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, K::KIND, &name)?;
    partner_topics::delete(&app.ports, &caller, &id).await?;
    Ok(deleted())
}

pub async fn activate<K: Paired>(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, name)): Params,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, K::KIND, &name)?;
    Ok(Json(K::show(
        &partner_topics::set_activation(&app.ports, &caller, &id, Activation::Activate).await?,
    ))
    .into_response())
}

pub async fn deactivate<K: Paired>(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, name)): Params,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, K::KIND, &name)?;
    Ok(Json(K::show(
        &partner_topics::set_activation(&app.ports, &caller, &id, Activation::Deactivate).await?,
    ))
    .into_response())
}

pub async fn list<K: Paired>(
    State(app): State<App>,
    caller: Authenticated,
    links: Links,
    scope: ScopePath,
    PageQuery(page): PageQuery,
) -> Result<Response, ApiError> {
    let listed = partner_topics::list(&app.ports, &caller, &scope.0, K::KIND, &page).await?;
    Ok(list_response(
        listed.items.iter().map(K::show).collect(),
        listed.skip_token,
        &links,
    ))
}
