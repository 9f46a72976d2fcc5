//! Operator routes (principals, verified partners) and the public verified-partner reads.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use infra::App;
use infra::http::{
    ApiError, Authenticated, JsonBody, Links, PageQuery, PathParams, deleted, list_response,
    put_response,
};
use shared::usecases::resources::principals::{self, CreatePrincipal};
use shared::usecases::resources::verified_partners::{self, VerifiedPartnerInput};

pub async fn create_principal(
    State(app): State<App>,
    caller: Authenticated,
    JsonBody(input): JsonBody<CreatePrincipal>,
) -> Result<Response, ApiError> {
    let created = principals::create_principal(&app.ports, &caller, input).await?;
    tracing::info!(principal = %created.name, subscriptions = created.subscriptions.len(), "principal created");
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

pub async fn delete_principal(
    State(app): State<App>,
    caller: Authenticated,
    PathParams(name): PathParams<String>,
) -> Result<Response, ApiError> {
    principals::delete_principal(&app.ports, &caller, &name).await?;
    tracing::info!(principal = %name, "principal revoked");
    Ok(deleted())
}

pub async fn put_verified_partner(
    State(app): State<App>,
    caller: Authenticated,
    PathParams(name): PathParams<String>,
    JsonBody(input): JsonBody<VerifiedPartnerInput>,
) -> Result<Response, ApiError> {
    let (partner, created) = verified_partners::put(&app.ports, &caller, &name, input).await?;
    Ok(put_response(created, partner.view()))
}

pub async fn delete_verified_partner(
    State(app): State<App>,
    caller: Authenticated,
    PathParams(name): PathParams<String>,
) -> Result<Response, ApiError> {
    verified_partners::delete(&app.ports, &caller, &name).await?;
    Ok(deleted())
}

pub async fn get_verified_partner(
    State(app): State<App>,
    _caller: Authenticated,
    PathParams(name): PathParams<String>,
) -> Result<Response, ApiError> {
    let partner = verified_partners::get(&app.ports, &name).await?;
    Ok(Json(partner.view()).into_response())
}

pub async fn list_verified_partners(
    State(app): State<App>,
    _caller: Authenticated,
    links: Links,
    PageQuery(page): PageQuery,
) -> Result<Response, ApiError> {
    let listed = verified_partners::list(&app.ports, &page).await?;
    Ok(list_response(
        listed.items.iter().map(|p| p.view()).collect(),
        listed.skip_token,
        &links,
    ))
}
