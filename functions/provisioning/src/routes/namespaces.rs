//! Partner namespace routes.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use infra::App;
use infra::http::{
    ApiError, Authenticated, JsonBody, Links, PageQuery, PathParams, PublicBase, ScopePath,
    deleted, list_response,
};
use shared::ids::{ResourceId, ResourceType};
use shared::provisioning::endpoint::RegenerateKey;
use shared::provisioning::namespace::PartnerNamespace;
use shared::provisioning::namespace::{NamespaceInput, NamespacePatch};
use shared::resource::Body;
use shared::usecases::resources::{endpoints, namespaces};

type Params = PathParams<(String, String, String)>;
const KIND: ResourceType = ResourceType::PartnerNamespaces;

pub async fn put(
    State(app): State<App>,
    PublicBase(base): PublicBase,
    caller: Authenticated,
    PathParams((sub, rg, name)): Params,
    JsonBody(body): JsonBody<Body<NamespaceInput>>,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, KIND, &name)?;
    let (namespace, created) = namespaces::put(&app.ports, &caller, &id, body).await?;
    tracing::info!(namespace = %id, created, "partner namespace stored");
    Ok((StatusCode::CREATED, Json(namespace.view(&base))).into_response())
}

pub async fn get(
    State(app): State<App>,
    PublicBase(base): PublicBase,
    caller: Authenticated,
    PathParams((sub, rg, name)): Params,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, KIND, &name)?;
    Ok(Json(
        endpoints::get::<PartnerNamespace>(&app.ports, &caller, &id)
            .await?
            .view(&base),
    )
    .into_response())
}

pub async fn patch(
    State(app): State<App>,
    PublicBase(base): PublicBase,
    caller: Authenticated,
    PathParams((sub, rg, name)): Params,
    JsonBody(body): JsonBody<Body<NamespacePatch>>,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, KIND, &name)?;
    Ok(Json(
        namespaces::patch(&app.ports, &caller, &id, body)
            .await?
            .view(&base),
    )
    .into_response())
}

pub async fn delete(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, name)): Params,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, KIND, &name)?;
    namespaces::delete(&app.ports, &caller, &id).await?;
    tracing::info!(namespace = %id, "partner namespace deleted");
    Ok(deleted())
}

pub async fn list(
    State(app): State<App>,
    caller: Authenticated,
    links: Links,
    scope: ScopePath,
    PageQuery(page): PageQuery,
) -> Result<Response, ApiError> {
    let listed = endpoints::list::<PartnerNamespace>(&app.ports, &caller, &scope.0, &page).await?;
    Ok(list_response(
        listed.items.iter().map(|n| n.view(links.base())).collect(),
        listed.skip_token,
        &links,
    ))
}

pub async fn list_keys(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, name)): Params,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, KIND, &name)?;
    Ok(
        Json(endpoints::list_keys::<PartnerNamespace>(&app.ports, &caller, &id).await?)
            .into_response(),
    )
}

pub async fn regenerate_key(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, name)): Params,
    JsonBody(request): JsonBody<RegenerateKey>,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, KIND, &name)?;
    Ok(Json(
        endpoints::regenerate_key::<PartnerNamespace>(&app.ports, &caller, &id, request).await?,
    )
    .into_response())
}
