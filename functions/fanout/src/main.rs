//! The fan-out and delivery Lambda, triggered by the fan-out and delivery SQS queues with
//! `ReportBatchItemFailures`.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let app = infra::lambda::start().await?;
    let deliveries = &app.deliveries;
    lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| async move {
        let deadline = Some(fanout::deadline_of(event.context.deadline));
        let response = fanout::handle_sqs(deliveries, event.payload, deadline).await;
        infra::metrics::flush();
        Ok::<SqsBatchResponse, lambda_runtime::Error>(response)
    }))
    .await
}
