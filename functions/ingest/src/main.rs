//! The ingest Lambda: the publish endpoint on the AWS adapters.

#[tokio::main]
async fn main() -> Result<(), infra::lambda::Error> {
    infra::lambda::serve_api(ingest::router).await
}
