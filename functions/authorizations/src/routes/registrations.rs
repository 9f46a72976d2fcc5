//! Partner registration routes.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use infra::App;
use infra::http::{ApiError, Authenticated, JsonBody, Links, PageQuery, deleted};
use shared::ids::{ResourceType, SubscriptionId};
use shared::partners::registration::RegistrationInput;
use shared::resource::{Body, List};
use shared::usecases::registrations;

use super::resource_id;

type Params = Path<(String, String, String)>;

pub async fn put(
    State(app): State<App>,
    caller: Authenticated,
    Path((sub, rg, name)): Params,
    JsonBody(body): JsonBody<Body<RegistrationInput>>,
) -> Result<Response, ApiError> {
    let id = resource_id(&sub, &rg, ResourceType::PartnerRegistrations, &name)?;
    let (registration, created) = registrations::put(&app.ports, &caller, &id, body).await?;
    tracing::info!(registration = %id, created, "partner registration stored");
    Ok(Json(registration.view()).into_response())
}

pub async fn get(
    State(app): State<App>,
    caller: Authenticated,
    Path((sub, rg, name)): Params,
) -> Result<Response, ApiError> {
    let id = resource_id(&sub, &rg, ResourceType::PartnerRegistrations, &name)?;
    Ok(Json(registrations::get(&app.ports, &caller, &id).await?.view()).into_response())
}

pub async fn delete(
    State(app): State<App>,
    caller: Authenticated,
    Path((sub, rg, name)): Params,
) -> Result<Response, ApiError> {
    let id = resource_id(&sub, &rg, ResourceType::PartnerRegistrations, &name)?;
    registrations::delete(&app.ports, &caller, &id).await?;
    Ok(deleted())
}

pub async fn list_in_group(
    State(app): State<App>,
    caller: Authenticated,
    links: Links,
    Path((sub, rg)): Path<(String, String)>,
    PageQuery(page): PageQuery,
) -> Result<Response, ApiError> {
    list(app, caller, links, &sub, Some(&rg), page).await
}

pub async fn list_in_subscription(
    State(app): State<App>,
    caller: Authenticated,
    links: Links,
    Path(sub): Path<String>,
    PageQuery(page): PageQuery,
) -> Result<Response, ApiError> {
    list(app, caller, links, &sub, None, page).await
}

async fn list(
    app: App,
    caller: Authenticated,
    links: Links,
    sub: &str,
    rg: Option<&str>,
    page: shared::usecases::PageRequest,
) -> Result<Response, ApiError> {
    let listed =
        registrations::list(&app.ports, &caller, SubscriptionId::parse(sub)?, rg, &page).await?;
    Ok(Json(List {
        value: listed.items.iter().map(|r| r.view()).collect(),
        next_link: links.next(listed.skip_token),
    })
    .into_response())
}
