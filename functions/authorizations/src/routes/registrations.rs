//! Partner registration routes.

use axum::Json;
use axum::extract::State;
use infra::App;
use infra::http::{ApiError, Authenticated, Deleted, JsonBody, Listing, Page, Resource};
use shared::partners::registration::{RegistrationInput, RegistrationProperties};
use shared::resource::{Body, View};
use shared::usecases::resources::registrations;

infra::resource_kind! {
    /// A partner's registration, which its namespaces name.
    pub Registrations = PartnerRegistrations
}

/// Always 200, whether it created or replaced.
pub async fn put(
    State(app): State<App>,
    caller: Authenticated,
    Resource(id, _): Resource<Registrations>,
    JsonBody(body): JsonBody<Body<RegistrationInput>>,
) -> Result<Json<View<RegistrationProperties>>, ApiError> {
    let (registration, created) = registrations::put(&app.ports, &caller, &id, body).await?;
    tracing::info!(registration = %id, created, "partner registration stored");
    Ok(Json(registration.view()))
}

pub async fn get(
    State(app): State<App>,
    caller: Authenticated,
    Resource(id, _): Resource<Registrations>,
) -> Result<Json<View<RegistrationProperties>>, ApiError> {
    let registration = registrations::get(&app.ports, &caller, &id).await?;
    Ok(Json(registration.view()))
}

pub async fn patch(
    State(app): State<App>,
    caller: Authenticated,
    Resource(id, _): Resource<Registrations>,
    JsonBody(body): JsonBody<Body<serde_json::Value>>,
) -> Result<Json<View<RegistrationProperties>>, ApiError> {
    let registration = registrations::patch(&app.ports, &caller, &id, body).await?;
    Ok(Json(registration.view()))
}

pub async fn delete(
    State(app): State<App>,
    caller: Authenticated,
    Resource(id, _): Resource<Registrations>,
) -> Result<Deleted, ApiError> {
    registrations::delete(&app.ports, &caller, &id).await?;
    Ok(Deleted)
}

pub async fn list(
    State(app): State<App>,
    caller: Authenticated,
    listing: Listing,
) -> Result<Page<View<RegistrationProperties>>, ApiError> {
    let listed = registrations::list(&app.ports, &caller, &listing.scope, &listing.page).await?;
    let value = listed.items.iter().map(|r| r.view()).collect();
    Ok(listing.links.page(value, listed.skip_token))
}
