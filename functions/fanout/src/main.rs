//! The fan-out and delivery Lambda, triggered by the fan-out and delivery SQS queues with
//! `ReportBatchItemFailures`.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    infra::telemetry::init();
    let app = infra::App::aws(&infra::Config::from_env()?).await?;
    let deliveries = &app.deliveries;
    lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| async move {
        Ok::<SqsBatchResponse, lambda_runtime::Error>(
            fanout::handle_sqs(
                deliveries,
                event.payload,
                Some(fanout::deadline_of(event.context.deadline)),
            )
            .await,
        )
    }))
    .await
}
