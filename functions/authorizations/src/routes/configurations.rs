//! Partner configuration routes, including `authorizePartner` and `unauthorizePartner`.

use axum::Json;
use axum::extract::State;
use infra::App;
use infra::http::{
    ApiError, Authenticated, Deleted, JsonBody, Listing, Page, Resource, Shown, Upsert,
};
use shared::partners::configuration::{
    ConfigurationInput, ConfigurationPatch, PartnerConfiguration, PartnerInput,
};
use shared::resource::Body;
use shared::usecases::resources::configurations;

infra::resource_kind! {
    /// A resource group's partner configuration (always named `default`).
    pub Configurations = PartnerConfigurations,
        shows PartnerConfiguration as |config, _| config.view()
}

pub async fn put(
    State(app): State<App>,
    caller: Authenticated,
    Resource(id, _): Resource<Configurations>,
    JsonBody(body): JsonBody<Body<ConfigurationInput>>,
) -> Result<Upsert<Shown<Configurations>>, ApiError> {
    let (config, created) = configurations::put(&app.ports, &caller, &id, body).await?;
    tracing::info!(configuration = %id, created, partners = config.authorized_partners.len(), "partner configuration stored");
    Ok(Upsert {
        created,
        body: Shown::new(config),
    })
}

pub async fn get(
    State(app): State<App>,
    caller: Authenticated,
    Resource(id, _): Resource<Configurations>,
) -> Result<Json<Shown<Configurations>>, ApiError> {
    let config = configurations::get(&app.ports, &caller, &id).await?;
    Ok(Json(Shown::new(config)))
}

pub async fn patch(
    State(app): State<App>,
    caller: Authenticated,
    Resource(id, _): Resource<Configurations>,
    JsonBody(body): JsonBody<Body<ConfigurationPatch>>,
) -> Result<Json<Shown<Configurations>>, ApiError> {
    let config = configurations::patch(&app.ports, &caller, &id, body).await?;
    Ok(Json(Shown::new(config)))
}

pub async fn delete(
    State(app): State<App>,
    caller: Authenticated,
    Resource(id, _): Resource<Configurations>,
) -> Result<Deleted, ApiError> {
    configurations::delete(&app.ports, &caller, &id).await?;
    Ok(Deleted)
}

pub async fn authorize(
    State(app): State<App>,
    caller: Authenticated,
    Resource(id, _): Resource<Configurations>,
    JsonBody(partner): JsonBody<PartnerInput>,
) -> Result<Json<Shown<Configurations>>, ApiError> {
    let config = configurations::authorize_partner(&app.ports, &caller, &id, partner).await?;
    tracing::info!(configuration = %id, "partner authorized");
    Ok(Json(Shown::new(config)))
}

pub async fn unauthorize(
    State(app): State<App>,
    caller: Authenticated,
    Resource(id, _): Resource<Configurations>,
    JsonBody(partner): JsonBody<PartnerInput>,
) -> Result<Json<Shown<Configurations>>, ApiError> {
    let config = configurations::unauthorize_partner(&app.ports, &caller, &id, partner).await?;
    tracing::info!(configuration = %id, "partner unauthorized");
    Ok(Json(Shown::new(config)))
}

pub async fn list(
    State(app): State<App>,
    caller: Authenticated,
    listing: Listing,
) -> Result<Page<Shown<Configurations>>, ApiError> {
    let listed = configurations::list(&app.ports, &caller, &listing.scope, &listing.page).await?;
    Ok(listing.links.shown(listed.items, listed.skip_token))
}
