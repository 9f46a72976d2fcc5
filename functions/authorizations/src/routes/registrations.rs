//! Partner registration routes.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use infra::App;
use infra::http::{
    ApiError, Authenticated, JsonBody, Links, PageQuery, PathParams, ScopePath, deleted,
    list_response,
};
use shared::ids::{ResourceId, ResourceType};
use shared::partners::registration::RegistrationInput;
use shared::resource::Body;
use shared::usecases::resources::registrations;

type Params = PathParams<(String, String, String)>;

pub async fn put(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, name)): Params,
    JsonBody(body): JsonBody<Body<RegistrationInput>>,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, ResourceType::PartnerRegistrations, &name)?;
    let (registration, created) = registrations::put(&app.ports, &caller, &id, body).await?;
    tracing::info!(registration = %id, created, "partner registration stored");
    Ok(Json(registration.view()).into_response())
}

pub async fn get(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, name)): Params,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, ResourceType::PartnerRegistrations, &name)?;
    Ok(Json(registrations::get(&app.ports, &caller, &id).await?.view()).into_response())
}

pub async fn patch(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, name)): Params,
    JsonBody(body): JsonBody<Body<serde_json::Value>>,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, ResourceType::PartnerRegistrations, &name)?;
    Ok(Json(
        registrations::patch(&app.ports, &caller, &id, body)
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
    let id = ResourceId::from_path(&sub, &rg, ResourceType::PartnerRegistrations, &name)?;
    registrations::delete(&app.ports, &caller, &id).await?;
    Ok(deleted())
}

/// Lists per resource group or per subscription, whichever the path names.
pub async fn list(
    State(app): State<App>,
    caller: Authenticated,
    links: Links,
    scope: ScopePath,
    PageQuery(page): PageQuery,
) -> Result<Response, ApiError> {
    let listed = registrations::list(&app.ports, &caller, &scope.0, &page).await?;
    Ok(list_response(
        listed.items.iter().map(|r| r.view()).collect(),
        listed.skip_token,
        &links,
    ))
}
