//! Customer topic routes (Event Grid "custom topics").

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
use shared::provisioning::custom_topic::CustomTopic;
use shared::provisioning::custom_topic::TopicInput;
use shared::provisioning::endpoint::RegenerateKey;
use shared::resource::Body;
use shared::usecases::resources::custom_topics as topics;
use shared::usecases::resources::endpoints;

type Params = PathParams<(String, String, String)>;
const KIND: ResourceType = ResourceType::Topics;

/// Always 201, as the REST spec declares for topics.
pub async fn put(
    State(app): State<App>,
    PublicBase(base): PublicBase,
    caller: Authenticated,
    PathParams((sub, rg, name)): Params,
    JsonBody(body): JsonBody<Body<TopicInput>>,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, KIND, &name)?;
    let (topic, created) = topics::put(&app.ports, &caller, &id, body).await?;
    tracing::info!(topic = %id, created, "topic stored");
    Ok((StatusCode::CREATED, Json(topic.view(&base))).into_response())
}

pub async fn get(
    State(app): State<App>,
    PublicBase(base): PublicBase,
    caller: Authenticated,
    PathParams((sub, rg, name)): Params,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, KIND, &name)?;
    Ok(Json(
        endpoints::get::<CustomTopic>(&app.ports, &caller, &id)
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
    JsonBody(body): JsonBody<Body<TopicInput>>,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, KIND, &name)?;
    Ok(Json(
        topics::patch(&app.ports, &caller, &id, body)
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
    topics::delete(&app.ports, &caller, &id).await?;
    tracing::info!(topic = %id, "topic deleted");
    Ok(deleted())
}

pub async fn list(
    State(app): State<App>,
    caller: Authenticated,
    links: Links,
    scope: ScopePath,
    PageQuery(page): PageQuery,
) -> Result<Response, ApiError> {
    let listed = endpoints::list::<CustomTopic>(&app.ports, &caller, &scope.0, &page).await?;
    Ok(list_response(
        listed.items.iter().map(|t| t.view(links.base())).collect(),
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
    Ok(Json(endpoints::list_keys::<CustomTopic>(&app.ports, &caller, &id).await?).into_response())
}

pub async fn regenerate_key(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, name)): Params,
    JsonBody(request): JsonBody<RegenerateKey>,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, KIND, &name)?;
    Ok(
        Json(endpoints::regenerate_key::<CustomTopic>(&app.ports, &caller, &id, request).await?)
            .into_response(),
    )
}
