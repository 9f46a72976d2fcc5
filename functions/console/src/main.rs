//! The console Lambda: the console's assets behind the API's stage.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    infra::telemetry::init();
    let stage = infra::Config::from_env()?.stage_prefix();
    lambda_http::run(infra::http::behind_stage(&stage, console::router())).await
}
