//! Event subscription routes, on partner topics, customer topics and system topics alike: each
//! handler is generic over the [`Scope`] its route is mounted on.

use axum::extract::State;
use axum::routing;
use axum::{Json, Router};
use infra::App;
use infra::http::{
    ApiError, Authenticated, Child, Collection, Created, Deleted, JsonBody, Kind, Links, Page,
    PageQuery, Resource, Shown, Upsert,
};
use serde::Serialize;
use shared::resource::{Body, List};
use shared::subscriptions::{
    DeliveryAttributeMapping, EventSubscription, SigningSecrets, SubscriptionInput,
    SubscriptionPatch,
};
use shared::usecases::resources::dead_letters;
use shared::usecases::resources::event_subscriptions as subs;
use shared::usecases::resources::event_subscriptions::signing;
use shared::usecases::resources::event_subscriptions::stats::{self, DeliveryStats};

use super::endpoints::CustomTopics;
use super::system_topics::SystemTopics;
use super::topics::PartnerTopics;
use super::{FullUrl, delivery_control};

/// The kind of topic a set of subscription routes hangs under: partner topics, customer topics
/// and system topics.
pub trait Scope: Kind {
    /// A PUT answers 201 even when it replaced (as the REST spec declares for system topics).
    const ALWAYS_CREATED: bool = false;
}

impl Scope for PartnerTopics {}

impl Scope for CustomTopics {}

impl Scope for SystemTopics {
    const ALWAYS_CREATED: bool = true;
}

infra::resource_kind! {
    /// A topic's event subscriptions.
    pub Subscriptions = EventSubscriptions,
        shows EventSubscription as |subscription, _| subscription.view()
}

/// The event subscription routes under `{EG}/{topics}/{topic}`, `topics` being `S`'s kind.
pub fn routes<S: Scope>(router: Router<App>) -> Router<App> {
    let path = format!("{}/{{topic}}/eventSubscriptions", S::KIND.segment());
    Collection::new(router, &path)
        .list(routing::get(list::<S>))
        .item(
            routing::put(put::<S>)
                .get(get::<S>)
                .patch(patch::<S>)
                .delete(delete::<S>),
        )
        .action("getFullUrl", routing::post(full_url::<S>))
        .action(
            "getDeliveryAttributes",
            routing::post(delivery_attributes::<S>),
        )
        .action("deadLetters", routing::get(dead_letters::<S>))
        .action(
            "redeliverDeadLetters",
            routing::post(redeliver_dead_letters::<S>),
        )
        .action("deliveryStats", routing::get(delivery_stats::<S>))
        .action("pause", routing::post(delivery_control::pause::<S>))
        .action("resume", routing::post(delivery_control::resume::<S>))
        .action(
            "deliveryAttempts",
            routing::get(delivery_control::delivery_attempts::<S>),
        )
        .action("getSigningSecrets", routing::post(signing_secrets::<S>))
        .action(
            "rotateSigningSecret",
            routing::post(rotate_signing_secret::<S>),
        )
        .router()
}

pub async fn put<S: Scope>(
    State(app): State<App>,
    caller: Authenticated,
    Child(id, _): Child<S, Subscriptions>,
    JsonBody(body): JsonBody<Body<SubscriptionInput>>,
) -> Result<Upsert<Shown<Subscriptions>>, ApiError> {
    let (subscription, created) =
        subs::put(&app.ports, &app.destinations, &caller, &id, body).await?;
    tracing::info!(subscription = %id, created, "event subscription stored");
    Ok(Upsert {
        created: created || S::ALWAYS_CREATED,
        body: Shown::new(subscription),
    })
}

/// Always 201.
pub async fn patch<S: Scope>(
    State(app): State<App>,
    caller: Authenticated,
    Child(id, _): Child<S, Subscriptions>,
    JsonBody(body): JsonBody<SubscriptionPatch>,
) -> Result<Created<Shown<Subscriptions>>, ApiError> {
    let subscription = subs::patch(&app.ports, &app.destinations, &caller, &id, body).await?;
    Ok(Created(Shown::new(subscription)))
}

pub async fn get<S: Scope>(
    State(app): State<App>,
    caller: Authenticated,
    Child(id, _): Child<S, Subscriptions>,
) -> Result<Json<Shown<Subscriptions>>, ApiError> {
    let subscription = subs::get(&app.ports, &caller, &id).await?;
    Ok(Json(Shown::new(subscription)))
}

pub async fn delete<S: Scope>(
    State(app): State<App>,
    caller: Authenticated,
    Child(id, _): Child<S, Subscriptions>,
) -> Result<Deleted, ApiError> {
    subs::delete(&app.ports, &caller, &id).await?;
    Ok(Deleted)
}

pub async fn list<S: Scope>(
    State(app): State<App>,
    caller: Authenticated,
    links: Links,
    Resource(topic, _): Resource<S>,
    PageQuery(page): PageQuery,
) -> Result<Page<Shown<Subscriptions>>, ApiError> {
    let listed = subs::list(&app.ports, &caller, &topic, &page).await?;
    Ok(links.shown(listed.items, listed.skip_token))
}

pub async fn full_url<S: Scope>(
    State(app): State<App>,
    caller: Authenticated,
    Child(id, _): Child<S, Subscriptions>,
) -> Result<Json<FullUrl>, ApiError> {
    let endpoint_url = subs::full_url(&app.ports, &caller, &id).await?;
    Ok(Json(FullUrl { endpoint_url }))
}

/// `{"value": [...]}`, the delivery attribute mappings with secrets shown.
pub async fn delivery_attributes<S: Scope>(
    State(app): State<App>,
    caller: Authenticated,
    Child(id, _): Child<S, Subscriptions>,
) -> Result<Json<List<DeliveryAttributeMapping>>, ApiError> {
    let value = subs::delivery_attributes(&app.ports, &caller, &id).await?;
    Ok(Json(List {
        value,
        next_link: None,
    }))
}

/// `GET .../deadLetters`: the subscription's dead letters, newest first (an extension).
pub async fn dead_letters<S: Scope>(
    State(app): State<App>,
    caller: Authenticated,
    links: Links,
    Child(id, _): Child<S, Subscriptions>,
    PageQuery(page): PageQuery,
) -> Result<Page<serde_json::Value>, ApiError> {
    let listed = dead_letters::list(&app.ports, &caller, &id, &page).await?;
    Ok(links.page(listed.items, listed.skip_token))
}

/// The body of `redeliverDeadLetters`: the dead letters to send again (by `deadletterid` or
/// event `id`); none or an empty body means all.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Redeliver {
    ids: Option<Vec<String>>,
}

/// The answer to `redeliverDeadLetters`: how many dead letters were sent again.
#[derive(Debug, Serialize)]
pub struct Redelivered {
    /// How many were queued again.
    pub redelivered: usize,
}

/// `POST .../redeliverDeadLetters` (an extension): `{"redelivered": n}`.
pub async fn redeliver_dead_letters<S: Scope>(
    State(app): State<App>,
    caller: Authenticated,
    Child(id, _): Child<S, Subscriptions>,
    body: axum::body::Bytes,
) -> Result<Json<Redelivered>, ApiError> {
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
    let redelivered = dead_letters::redeliver(
        &app.ports,
        app.deliveries.queue.as_ref(),
        &caller,
        &id,
        request.ids.as_deref(),
    )
    .await?;
    tracing::info!(subscription = %id, count = redelivered, "dead letters redelivered");
    Ok(Json(Redelivered { redelivered }))
}

/// `GET .../deliveryStats` (an extension): delivered, failed and dead-lettered counts.
pub async fn delivery_stats<S: Scope>(
    State(app): State<App>,
    caller: Authenticated,
    Child(id, _): Child<S, Subscriptions>,
) -> Result<Json<DeliveryStats>, ApiError> {
    Ok(Json(stats::get(&app.ports, &caller, &id).await?))
}

/// `POST .../getSigningSecrets`: the secrets deliveries are signed with.
pub async fn signing_secrets<S: Scope>(
    State(app): State<App>,
    caller: Authenticated,
    Child(id, _): Child<S, Subscriptions>,
) -> Result<Json<SigningSecrets>, ApiError> {
    Ok(Json(
        signing::signing_secrets(&app.ports, &caller, &id).await?,
    ))
}

/// `POST .../rotateSigningSecret`: a new current secret, the previous one kept for 24 hours.
pub async fn rotate_signing_secret<S: Scope>(
    State(app): State<App>,
    caller: Authenticated,
    Child(id, _): Child<S, Subscriptions>,
) -> Result<Json<SigningSecrets>, ApiError> {
    let secrets = signing::rotate_signing_secret(&app.ports, &caller, &id).await?;
    tracing::info!(subscription = %id, "signing secret rotated");
    Ok(Json(secrets))
}
