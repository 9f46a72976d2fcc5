//! The console Lambda: the console's assets behind the API's stage.

#[tokio::main]
async fn main() -> Result<(), infra::lambda::Error> {
    infra::lambda::serve_assets(console::router()).await
}
