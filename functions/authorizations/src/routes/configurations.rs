//! Partner configuration routes, including `authorizePartner` and `unauthorizePartner`.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use infra::App;
use infra::http::{ApiError, Authenticated, JsonBody, Links, PageQuery, deleted, put_response};
use shared::ids::{ResourceType, SubscriptionId};
use shared::partners::configuration::{ConfigurationInput, ConfigurationPatch, PartnerInput};
use shared::resource::{Body, List};
use shared::usecases::configurations;

use super::resource_id;

type Params = Path<(String, String, String)>;
const KIND: ResourceType = ResourceType::PartnerConfigurations;

pub async fn put(
    State(app): State<App>,
    caller: Authenticated,
    Path((sub, rg, name)): Params,
    JsonBody(body): JsonBody<Body<ConfigurationInput>>,
) -> Result<Response, ApiError> {
    let id = resource_id(&sub, &rg, KIND, &name)?;
    let (config, created) = configurations::put(&app.ports, &caller, &id, body).await?;
    tracing::info!(configuration = %id, created, partners = config.authorized_partners.len(), "partner configuration stored");
    Ok(put_response(created, config.view()))
}

pub async fn get(
    State(app): State<App>,
    caller: Authenticated,
    Path((sub, rg, name)): Params,
) -> Result<Response, ApiError> {
    let id = resource_id(&sub, &rg, KIND, &name)?;
    Ok(Json(configurations::get(&app.ports, &caller, &id).await?.view()).into_response())
}

pub async fn patch(
    State(app): State<App>,
    caller: Authenticated,
    Path((sub, rg, name)): Params,
    JsonBody(body): JsonBody<Body<ConfigurationPatch>>,
) -> Result<Response, ApiError> {
    let id = resource_id(&sub, &rg, KIND, &name)?;
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
    Path((sub, rg, name)): Params,
) -> Result<Response, ApiError> {
    let id = resource_id(&sub, &rg, KIND, &name)?;
    configurations::delete(&app.ports, &caller, &id).await?;
    Ok(deleted())
}

pub async fn authorize(
    State(app): State<App>,
    caller: Authenticated,
    Path((sub, rg, name)): Params,
    JsonBody(partner): JsonBody<PartnerInput>,
) -> Result<Response, ApiError> {
    let id = resource_id(&sub, &rg, KIND, &name)?;
    let config = configurations::authorize_partner(&app.ports, &caller, &id, partner).await?;
    tracing::info!(configuration = %id, "partner authorized");
    Ok(Json(config.view()).into_response())
}

pub async fn unauthorize(
    State(app): State<App>,
    caller: Authenticated,
    Path((sub, rg, name)): Params,
    JsonBody(partner): JsonBody<PartnerInput>,
) -> Result<Response, ApiError> {
    let id = resource_id(&sub, &rg, KIND, &name)?;
    let config = configurations::unauthorize_partner(&app.ports, &caller, &id, partner).await?;
    tracing::info!(configuration = %id, "partner unauthorized");
    Ok(Json(config.view()).into_response())
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
        configurations::list(&app.ports, &caller, SubscriptionId::parse(sub)?, rg, &page).await?;
    Ok(Json(List {
        value: listed.items.iter().map(|c| c.view()).collect(),
        next_link: links.next(listed.skip_token),
    })
    .into_response())
}
