//! The provisioning Lambda: the router on the AWS adapters.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    infra::telemetry::init();
    let app = infra::App::aws(&infra::Config::from_env()?).await?;
    let stage = app.stage.clone();
    lambda_http::run(infra::http::behind_stage(&stage, provisioning::router(app))).await
}
