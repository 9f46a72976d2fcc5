//! Partner configuration routes, including `authorizePartner` and `unauthorizePartner`.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use infra::App;
use infra::http::{
    ApiError, Authenticated, JsonBody, Links, PageQuery, PathParams, ScopePath, deleted,
    list_response, put_response,
};
use shared::ids::{ResourceId, ResourceType};
use shared::partners::configuration::{ConfigurationInput, ConfigurationPatch, PartnerInput};
use shared::resource::Body;
use shared::usecases::resources::configurations;

type Params = PathParams<(String, String, String)>;
const KIND: ResourceType = ResourceType::PartnerConfigurations;

pub async fn put(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, name)): Params,
    JsonBody(body): JsonBody<Body<ConfigurationInput>>,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, KIND, &name)?;
    let (config, created) = configurations::put(&app.ports, &caller, &id, body).await?;
    tracing::info!(configuration = %id, created, partners = config.authorized_partners.len(), "partner configuration stored");
    Ok(put_response(created, config.view()))
}

pub async fn get(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, name)): Params,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, KIND, &name)?;
    Ok(Json(configurations::get(&app.ports, &caller, &id).await?.view()).into_response())
}

pub async fn patch(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, name)): Params,
    JsonBody(body): JsonBody<Body<ConfigurationPatch>>,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, KIND, &name)?;
    Ok(Json(
        configurations::patch(&app.ports, &caller, &id, body)
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
    configurations::delete(&app.ports, &caller, &id).await?;
    Ok(deleted())
}

pub async fn authorize(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, name)): Params,
    JsonBody(partner): JsonBody<PartnerInput>,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, KIND, &name)?;
    let config = configurations::authorize_partner(&app.ports, &caller, &id, partner).await?;
    tracing::info!(configuration = %id, "partner authorized");
    Ok(Json(config.view()).into_response())
}

pub async fn unauthorize(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, name)): Params,
    JsonBody(partner): JsonBody<PartnerInput>,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, KIND, &name)?;
    let config = configurations::unauthorize_partner(&app.ports, &caller, &id, partner).await?;
    tracing::info!(configuration = %id, "partner unauthorized");
    Ok(Json(config.view()).into_response())
}

/// Lists per resource group or per subscription, whichever the path names.
pub async fn list(
    State(app): State<App>,
    caller: Authenticated,
    links: Links,
    scope: ScopePath,
    PageQuery(page): PageQuery,
) -> Result<Response, ApiError> {
    let listed = configurations::list(&app.ports, &caller, &scope.0, &page).await?;
    Ok(list_response(
        listed.items.iter().map(|c| c.view()).collect(),
        listed.skip_token,
        &links,
    ))
}
