//! The system topic routes (read-only): each customer subscription's platform events topic.

use axum::routing;
use axum::{Json, Router};
use infra::App;
use infra::http::{ApiError, Authenticated, Collection, Links, Page, Resource, ScopePath};
use shared::resource::View;
use shared::usecases::support::platform_events::{self, SystemTopicProperties};

infra::resource_kind! {
    /// System topics: one per customer subscription, in its system resource group.
    pub SystemTopics = SystemTopics
}

/// The system topic routes: the collection and each topic.
pub fn routes(router: Router<App>) -> Router<App> {
    Collection::new(router, "systemTopics")
        .list(routing::get(list))
        .item(routing::get(get))
        .router()
}

pub async fn get(
    caller: Authenticated,
    Resource(id, _): Resource<SystemTopics>,
) -> Result<Json<View<SystemTopicProperties>>, ApiError> {
    Ok(Json(platform_events::get(&caller, &id)?))
}

pub async fn list(
    caller: Authenticated,
    links: Links,
    scope: ScopePath,
) -> Result<Page<View<SystemTopicProperties>>, ApiError> {
    Ok(links.page(platform_events::list(&caller, &scope.0)?, None))
}
