//! Event subscription routes, on partner topics and on customer topics alike: each handler is
//! generic over the [`Scope`] its route is mounted on.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use infra::App;
use infra::http::{
    ApiError, Authenticated, JsonBody, Links, PageQuery, PathParams, deleted, list_response,
    put_response,
};
use serde_json::json;
use shared::ids::{ResourceId, ResourceType};
use shared::resource::Body;
use shared::subscriptions::{SubscriptionInput, SubscriptionPatch};
use shared::usecases::resources::dead_letters;
use shared::usecases::resources::event_subscriptions as subs;
use shared::usecases::resources::event_subscriptions::stats;

type Params = PathParams<(String, String, String, String)>;

/// The kind of topic a set of subscription routes hangs under.
pub trait Scope: Send + Sync + 'static {
    const KIND: ResourceType;
    /// A PUT answers 201 even when it replaced (as the REST spec declares for system topics).
    const ALWAYS_CREATED: bool = false;
}

pub struct OnPartnerTopic;
impl Scope for OnPartnerTopic {
    const KIND: ResourceType = ResourceType::PartnerTopics;
}

pub struct OnTopic;
impl Scope for OnTopic {
    const KIND: ResourceType = ResourceType::Topics;
}

pub struct OnSystemTopic;
impl Scope for OnSystemTopic {
    const KIND: ResourceType = ResourceType::SystemTopics;
    const ALWAYS_CREATED: bool = true;
}

fn subscription_id<S: Scope>(
    sub: &str,
    rg: &str,
    topic: &str,
    name: &str,
) -> shared::Result<ResourceId> {
    ResourceId::from_path(sub, rg, S::KIND, topic)?.child(ResourceType::EventSubscriptions, name)
}

pub async fn put<S: Scope>(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, topic, name)): Params,
    JsonBody(body): JsonBody<Body<SubscriptionInput>>,
) -> Result<Response, ApiError> {
    let id = subscription_id::<S>(&sub, &rg, &topic, &name)?;
    let (subscription, created) =
        subs::put(&app.ports, app.webhooks.as_ref(), &caller, &id, body).await?;
    tracing::info!(subscription = %id, created, "event subscription stored");
    Ok(put_response(
        created || S::ALWAYS_CREATED,
        subscription.view(),
    ))
}

pub async fn patch<S: Scope>(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, topic, name)): Params,
    JsonBody(body): JsonBody<SubscriptionPatch>,
) -> Result<Response, ApiError> {
    let id = subscription_id::<S>(&sub, &rg, &topic, &name)?;
    let subscription = subs::patch(&app.ports, app.webhooks.as_ref(), &caller, &id, body).await?;
    Ok((StatusCode::CREATED, Json(subscription.view())).into_response())
}

pub async fn get<S: Scope>(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, topic, name)): Params,
) -> Result<Response, ApiError> {
    let id = subscription_id::<S>(&sub, &rg, &topic, &name)?;
    Ok(Json(subs::get(&app.ports, &caller, &id).await?.view()).into_response())
}

pub async fn delete<S: Scope>(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, topic, name)): Params,
) -> Result<Response, ApiError> {
    let id = subscription_id::<S>(&sub, &rg, &topic, &name)?;
    subs::delete(&app.ports, &caller, &id).await?;
    Ok(deleted())
}

pub async fn list<S: Scope>(
    State(app): State<App>,
    caller: Authenticated,
    links: Links,
    PathParams((sub, rg, topic)): PathParams<(String, String, String)>,
    PageQuery(page): PageQuery,
) -> Result<Response, ApiError> {
    let topic = ResourceId::from_path(&sub, &rg, S::KIND, &topic)?;
    let listed = subs::list(&app.ports, &caller, &topic, &page).await?;
    Ok(list_response(
        listed.items.iter().map(|s| s.view()).collect(),
        listed.skip_token,
        &links,
    ))
}

pub async fn full_url<S: Scope>(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, topic, name)): Params,
) -> Result<Response, ApiError> {
    let id = subscription_id::<S>(&sub, &rg, &topic, &name)?;
    Ok(
        Json(json!({"endpointUrl": subs::full_url(&app.ports, &caller, &id).await?}))
            .into_response(),
    )
}

pub async fn delivery_attributes<S: Scope>(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, topic, name)): Params,
) -> Result<Response, ApiError> {
    let id = subscription_id::<S>(&sub, &rg, &topic, &name)?;
    Ok(
        Json(json!({"value": subs::delivery_attributes(&app.ports, &caller, &id).await?}))
            .into_response(),
    )
}

/// `GET .../deadLetters`: the subscription's dead letters, newest first (an extension).
pub async fn dead_letters<S: Scope>(
    State(app): State<App>,
    caller: Authenticated,
    links: Links,
    PathParams((sub, rg, topic, name)): Params,
    PageQuery(page): PageQuery,
) -> Result<Response, ApiError> {
    let id = subscription_id::<S>(&sub, &rg, &topic, &name)?;
    let listed = dead_letters::list(&app.ports, &caller, &id, &page).await?;
    Ok(list_response(listed.items, listed.skip_token, &links))
}

/// The body of `redeliverDeadLetters`: the dead letters to send again (by `deadletterid` or
/// event `id`); none or an empty body means all.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Redeliver {
    ids: Option<Vec<String>>,
}

/// `POST .../redeliverDeadLetters` (an extension): `{"redelivered": n}`.
pub async fn redeliver_dead_letters<S: Scope>(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, topic, name)): Params,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let id = subscription_id::<S>(&sub, &rg, &topic, &name)?;
    let request: Redeliver = if body.iter().all(u8::is_ascii_whitespace) {
        Redeliver::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            shared::Error::invalid(
                shared::error::code::INVALID_REQUEST_CONTENT,
                format!("the body must be {{\"ids\": [\"<deadletterid or event id>\", ...]}} or empty: {e}"),
            )
        })?
    };
    let count = dead_letters::redeliver(
        &app.ports,
        app.deliveries.queue.as_ref(),
        &caller,
        &id,
        request.ids.as_deref(),
    )
    .await?;
    tracing::info!(subscription = %id, count, "dead letters redelivered");
    Ok(Json(json!({ "redelivered": count })).into_response())
}

/// `GET .../deliveryStats` (an extension): delivered, failed and dead-lettered counts.
pub async fn delivery_stats<S: Scope>(
    State(app): State<App>,
    caller: Authenticated,
    PathParams((sub, rg, topic, name)): Params,
) -> Result<Response, ApiError> {
    let id = subscription_id::<S>(&sub, &rg, &topic, &name)?;
    Ok(Json(stats::get(&app.ports, &caller, &id).await?).into_response())
}
