//! The ingest Lambda: the publish endpoint on the AWS adapters.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    infra::telemetry::init();
    let app = infra::App::aws(&infra::Config::from_env()?).await?;
    lambda_http::run(infra::http::standalone(ingest::router(app))).await
}
