//! Partner topic routes (the customer's side).

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use infra::App;
use infra::http::{
    ApiError, Authenticated, JsonBody, Links, PageQuery, PathParams, ScopePath, deleted,
    list_response,
};
use shared::ids::{ResourceId, ResourceType};
use shared::provisioning::topic::Activation;
use shared::resource::Body;
use shared::usecases::partner_topics;

type Params = PathParams<(String, String, String)>;
const KIND: ResourceType = ResourceType::PartnerTopics;

pub async fn get(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, name)): Params,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, KIND, &name)?;
    Ok(Json(partner_topics::get(&app.ports, &caller, &id).await?.view()).into_response())
}

pub async fn patch(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, name)): Params,
    JsonBody(body): JsonBody<Body<serde_json::Value>>,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, KIND, &name)?;
    Ok(Json(
        partner_topics::patch(&app.ports, &caller, &id, body)
            .await?
            .view(),
    )
    .into_response())
}

pub async fn delete(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, name)): Params,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, KIND, &name)?;
    partner_topics::delete(&app.ports, &caller, &id).await?;
    Ok(deleted())
}

pub async fn activate(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, name)): Params,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, KIND, &name)?;
    Ok(Json(
        partner_topics::set_activation(&app.ports, &caller, &id, Activation::Activate)
            .await?
            .view(),
    )
    .into_response())
}

pub async fn deactivate(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, name)): Params,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, KIND, &name)?;
    Ok(Json(
        partner_topics::set_activation(&app.ports, &caller, &id, Activation::Deactivate)
            .await?
            .view(),
    )
    .into_response())
}

pub async fn list(
    State(app): State<App>,
    caller: Authenticated,
    links: Links,
    scope: ScopePath,
    PageQuery(page): PageQuery,
) -> Result<Response, ApiError> {
    let listed = partner_topics::list(&app.ports, &caller, &scope.0, &page).await?;
    Ok(list_response(
        listed.items.iter().map(|t| t.view()).collect(),
        listed.skip_token,
        &links,
    ))
}
