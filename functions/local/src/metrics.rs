//! `GET /metrics`: the Prometheus text of the process's metrics, for the operator key only,
//! and the upkeep that drains recorded histogram values between scrapes.

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use infra::App;
use infra::http::{ApiError, Authenticated};
use tokio::sync::watch;

/// How often recorded histogram values are drained when nobody scrapes.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// The Prometheus text format's content type.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The route, on `app`.
pub fn router(app: App) -> Router {
    Router::new().route("/metrics", get(scrape)).with_state(app)
}

async fn scrape(State(app): State<App>, caller: Authenticated) -> Result<Response, ApiError> {
    caller.require_operator()?;
    let handle = infra::metrics::prometheus()?;
    let queues: [(&'static str, &dyn shared::ports::Queue); 2] = [
        (infra::app::FANOUT, app.fanout.as_ref()),
        (infra::app::DELIVERY, app.deliveries.queue.as_ref()),
    ];
    let text = infra::metrics::render(handle, &queues).await;
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response())
}

/// Drains recorded histogram values every few seconds until `stop` turns true.
pub async fn upkeep(mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(UPKEEP_EVERY) => {}
            _ = stop.changed() => return,
        }
        if let Ok(handle) = infra::metrics::prometheus() {
            handle.run_upkeep();
        }
    }
}
