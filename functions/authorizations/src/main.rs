//! The authorizations Lambda: the router on the AWS adapters.

#[tokio::main]
async fn main() -> Result<(), infra::lambda::Error> {
    infra::lambda::serve_api(authorizations::router).await
}
