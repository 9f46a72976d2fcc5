//! Channel routes.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use infra::App;
use infra::http::{
    ApiError, Authenticated, JsonBody, Links, PageQuery, PathParams, deleted, list_response,
    put_response,
};
use shared::ids::{ResourceId, ResourceType};
use shared::provisioning::channel::{ChannelInput, ChannelPatch};
use shared::resource::Body;
use shared::usecases::resources::channels;

type Params = PathParams<(String, String, String, String)>;

fn channel_id(sub: &str, rg: &str, namespace: &str, name: &str) -> shared::Result<ResourceId> {
    ResourceId::from_path(sub, rg, ResourceType::PartnerNamespaces, namespace)?
        .child(ResourceType::Channels, name)
}

pub async fn put(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, ns, name)): Params,
    JsonBody(body): JsonBody<Body<ChannelInput>>,
) -> Result<Response, ApiError> {
    let id = channel_id(&sub, &rg, &ns, &name)?;
    let (channel, created) = channels::put(&app.ports, &caller, &id, body).await?;
    Ok(put_response(created, channel.view()))
}

pub async fn get(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, ns, name)): Params,
) -> Result<Response, ApiError> {
    let id = channel_id(&sub, &rg, &ns, &name)?;
    Ok(Json(channels::get(&app.ports, &caller, &id).await?.view()).into_response())
}

pub async fn patch(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, ns, name)): Params,
    JsonBody(body): JsonBody<Body<ChannelPatch>>,
) -> Result<Response, ApiError> {
    let id = channel_id(&sub, &rg, &ns, &name)?;
    Ok(Json(
        channels::patch(&app.ports, &caller, &id, body)
            .await?
            .view(),
    )
    .into_response())
}

pub async fn delete(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, ns, name)): Params,
) -> Result<Response, ApiError> {
    let id = channel_id(&sub, &rg, &ns, &name)?;
    channels::delete(&app.ports, &caller, &id).await?;
    Ok(deleted())
}

pub async fn list(
    State(app): State<App>,
    caller: Authenticated,
    links: Links,
    PathParams((sub, rg, ns)): PathParams<(String, String, String)>,
    PageQuery(page): PageQuery,
) -> Result<Response, ApiError> {
    let namespace = ResourceId::from_path(&sub, &rg, ResourceType::PartnerNamespaces, &ns)?;
    let listed = channels::list(&app.ports, &caller, &namespace, &page).await?;
    Ok(list_response(
        listed.items.iter().map(|c| c.view()).collect(),
        listed.skip_token,
        &links,
    ))
}

/// `POST .../getFullUrl` of a `PartnerDestination` channel: `{"endpointUrl"}`.
pub async fn full_url(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, ns, name)): Params,
) -> Result<Response, ApiError> {
    let id = channel_id(&sub, &rg, &ns, &name)?;
    let url = channels::full_url(&app.ports, &caller, &id).await?;
    Ok(Json(serde_json::json!({ "endpointUrl": url })).into_response())
}
