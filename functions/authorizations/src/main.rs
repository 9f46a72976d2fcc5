//! The authorizations Lambda: the router on the AWS adapters.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    infra::telemetry::init();
    let app = infra::App::aws(&infra::Config::from_env()?).await?;
    lambda_http::run(infra::http::standalone(authorizations::router(app))).await
}
