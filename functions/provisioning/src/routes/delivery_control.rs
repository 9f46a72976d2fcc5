//! A subscription's delivery controls (extensions): `pause`, `resume` and the delivery log,
//! `deliveryAttempts`.

use axum::Json;
use axum::extract::{Query, State};
use infra::App;
use infra::http::{ApiError, Authenticated, Child, Links, Page, Shown};
use serde::Deserialize;
use shared::usecases::resources::event_subscriptions::{delivery_log, pause as paused};
use shared::usecases::support::listing::PageRequest;

use super::subscriptions::{Scope, Subscriptions};

/// `POST .../pause`: 200 with the subscription, `deliveryState: "Paused"`.
pub async fn pause<S: Scope>(
    State(app): State<App>,
    caller: Authenticated,
    Child(id, _): Child<S, Subscriptions>,
) -> Result<Json<Shown<Subscriptions>>, ApiError> {
    let subscription = paused::pause(&app.ports, &caller, &id).await?;
    app.deliveries.subscriptions.forget(&id.top()?);
    tracing::info!(subscription = %id, "deliveries paused");
    Ok(Json(Shown::new(subscription)))
}

/// `POST .../resume`: 200 with the subscription; the events held meanwhile are queued again.
pub async fn resume<S: Scope>(
    State(app): State<App>,
    caller: Authenticated,
    Child(id, _): Child<S, Subscriptions>,
) -> Result<Json<Shown<Subscriptions>>, ApiError> {
    let (subscription, released) =
        paused::resume(&app.ports, app.deliveries.queue.as_ref(), &caller, &id).await?;
    app.deliveries.subscriptions.forget(&id.top()?);
    tracing::info!(subscription = %id, messages = released, "deliveries resumed");
    Ok(Json(Shown::new(subscription)))
}

/// The query of `deliveryAttempts` beside `$top` and `$skipToken`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttemptsQuery {
    event_id: Option<String>,
    since: Option<String>,
    #[serde(rename = "$top")]
    top: Option<String>,
    #[serde(rename = "$skipToken")]
    skip_token: Option<String>,
}

/// `GET .../deliveryAttempts?eventId=&since=&$top=`: the attempts, oldest first.
pub async fn delivery_attempts<S: Scope>(
    State(app): State<App>,
    caller: Authenticated,
    links: Links,
    Child(id, _): Child<S, Subscriptions>,
    Query(query): Query<AttemptsQuery>,
) -> Result<Page<serde_json::Value>, ApiError> {
    let top = match query.top {
        Some(top) => Some(top.parse().map_err(|_| {
            shared::Error::invalid(
                shared::error::code::INVALID_PROPERTY,
                format!("$top '{top}' is not a whole number"),
            )
        })?),
        None => None,
    };
    let query = delivery_log::Query {
        event_id: query.event_id,
        since: query
            .since
            .as_deref()
            .map(delivery_log::parse_since)
            .transpose()?,
        page: PageRequest {
            top,
            skip_token: query.skip_token,
        },
    };
    let listed = delivery_log::list(&app.ports, &caller, &id, &query).await?;
    let value = listed
        .items
        .iter()
        .map(|entry| serde_json::to_value(entry.view()))
        .collect::<Result<_, _>>()
        .map_err(|e| shared::Error::internal(e.to_string()))?;
    Ok(links.page(value, listed.skip_token))
}
