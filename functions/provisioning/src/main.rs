//! The provisioning Lambda: the router on the AWS adapters.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    infra::telemetry::init();
    infra::metrics::cloudwatch_from_env()?;
    let app = infra::App::aws(&infra::Config::from_env()?).await?;
    let stage = app.stage.clone();
    let router = infra::metrics::flushed(provisioning::router(app));
    lambda_http::run(infra::http::behind_stage(&stage, router)).await
}
