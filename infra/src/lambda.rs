//! What every Lambda main does: start tracing, the metrics recorder and the AWS adapters, and,
//! for an HTTP function, serve its router behind the API Gateway stage.

use crate::{App, Config};

/// A Lambda main's error (`lambda_http`'s and `lambda_runtime`'s are the same type).
pub type Error = lambda_http::Error;

/// Starts a function on the AWS adapters: tracing (JSON), the EMF metrics recorder when
/// `PARTNER_EVENTS_METRICS_NAMESPACE` is set, and the adapters the environment configures.
pub async fn start() -> Result<App, Error> {
    crate::telemetry::init();
    crate::metrics::cloudwatch_from_env()?;
    Ok(App::aws(&Config::from_env()?).await?)
}

/// Runs an HTTP function: [`start`], then the router `router_of` builds on the adapters,
/// flushing the metrics after each response, behind the stage (see
/// [`crate::http::behind_stage`]).
pub async fn serve_api(router_of: impl FnOnce(App) -> axum::Router) -> Result<(), Error> {
    let app = start().await?;
    let stage = app.stage.clone();
    let router = crate::metrics::flushed(router_of(app));
    lambda_http::run(crate::http::behind_stage(&stage, router)).await
}

/// Runs an HTTP function that needs no adapters and records no metrics (the console's assets):
/// tracing, then `router` behind the stage.
pub async fn serve_assets(router: axum::Router) -> Result<(), Error> {
    crate::telemetry::init();
    let stage = Config::from_env()?.stage_prefix();
    lambda_http::run(crate::http::behind_stage(&stage, router)).await
}
