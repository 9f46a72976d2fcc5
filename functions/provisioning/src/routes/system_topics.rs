//! The system topic routes (read-only): each customer subscription's platform events topic.

use axum::Json;
use axum::response::{IntoResponse, Response};
use infra::http::{ApiError, Authenticated, Links, PathParams, ScopePath, list_response};
use shared::ids::{ResourceId, ResourceType};
use shared::usecases::support::platform_events;

pub async fn get(
    caller: Authenticated,
    PathParams((sub, rg, name)): PathParams<(String, String, String)>,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(&sub, &rg, ResourceType::SystemTopics, &name)?;
    Ok(Json(platform_events::get(&caller, &id)?).into_response())
}

pub async fn list(
    caller: Authenticated,
    links: Links,
    scope: ScopePath,
) -> Result<Response, ApiError> {
    Ok(list_response(
        platform_events::list(&caller, &scope.0)?,
        None,
        &links,
    ))
}
