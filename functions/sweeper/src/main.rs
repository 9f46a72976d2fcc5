//! The sweeper Lambda, run by an EventBridge schedule.

use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::{Value, json};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let app = infra::lambda::start().await?;
    let app = &app;
    lambda_runtime::run(service_fn(|_: LambdaEvent<Value>| async move {
        let settled = sweeper::run(&app.ports, app.fanout.as_ref()).await;
        infra::metrics::flush();
        Ok::<Value, lambda_runtime::Error>(json!({ "settled": settled? }))
    }))
    .await
}
