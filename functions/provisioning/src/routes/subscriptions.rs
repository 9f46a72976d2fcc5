//! Event subscription routes on partner topics.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use infra::App;
use infra::http::{
    ApiError, Authenticated, JsonBody, Links, PageQuery, PathParams, deleted, list_response,
    put_response,
};
use serde_json::json;
use shared::ids::{ResourceId, ResourceType};
use shared::resource::Body;
use shared::subscriptions::{SubscriptionInput, SubscriptionPatch};
use shared::usecases::event_subscriptions as subs;

type Params = PathParams<(String, String, String, String)>;

fn subscription_id(sub: &str, rg: &str, topic: &str, name: &str) -> shared::Result<ResourceId> {
    ResourceId::from_path(sub, rg, ResourceType::PartnerTopics, topic)?
        .child(ResourceType::EventSubscriptions, name)
}

pub async fn put(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, topic, name)): Params,
    JsonBody(body): JsonBody<Body<SubscriptionInput>>,
) -> Result<Response, ApiError> {
    let id = subscription_id(&sub, &rg, &topic, &name)?;
    let (subscription, created) =
        subs::put(&app.ports, app.webhooks.as_ref(), &caller, &id, body).await?;
    tracing::info!(subscription = %id, created, "event subscription stored");
    Ok(put_response(created, subscription.view()))
}

pub async fn patch(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, topic, name)): Params,
    JsonBody(body): JsonBody<SubscriptionPatch>,
) -> Result<Response, ApiError> {
    let id = subscription_id(&sub, &rg, &topic, &name)?;
    let subscription = subs::patch(&app.ports, app.webhooks.as_ref(), &caller, &id, body).await?;
    Ok((StatusCode::CREATED, Json(subscription.view())).into_response())
}

pub async fn get(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, topic, name)): Params,
) -> Result<Response, ApiError> {
    let id = subscription_id(&sub, &rg, &topic, &name)?;
    Ok(Json(subs::get(&app.ports, &caller, &id).await?.view()).into_response())
}

pub async fn delete(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, topic, name)): Params,
) -> Result<Response, ApiError> {
    let id = subscription_id(&sub, &rg, &topic, &name)?;
    subs::delete(&app.ports, &caller, &id).await?;
    Ok(deleted())
}

pub async fn list(
    State(app): State<App>,
    caller: Authenticated,
    links: Links,
    PathParams((sub, rg, topic)): PathParams<(String, String, String)>,
    PageQuery(page): PageQuery,
) -> Result<Response, ApiError> {
    let topic = ResourceId::from_path(&sub, &rg, ResourceType::PartnerTopics, &topic)?;
    let listed = subs::list(&app.ports, &caller, &topic, &page).await?;
    Ok(list_response(
        listed.items.iter().map(|s| s.view()).collect(),
        listed.skip_token,
        &links,
    ))
}

pub async fn full_url(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, topic, name)): Params,
) -> Result<Response, ApiError> {
    let id = subscription_id(&sub, &rg, &topic, &name)?;
    Ok(
        Json(json!({"endpointUrl": subs::full_url(&app.ports, &caller, &id).await?}))
            .into_response(),
    )
}

pub async fn delivery_attributes(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, topic, name)): Params,
) -> Result<Response, ApiError> {
    let id = subscription_id(&sub, &rg, &topic, &name)?;
    Ok(
        Json(json!({"value": subs::delivery_attributes(&app.ports, &caller, &id).await?}))
            .into_response(),
    )
}
