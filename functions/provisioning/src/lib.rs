//! The provisioning function: partner namespaces (with `listKeys` / `regenerateKey`), their
//! channels, the customer's side of the partner topics those channels create, customer topics,
//! each customer subscription's system topic of platform events, and the event subscriptions on
//! all three kinds of topic with their dead letters and delivery counts.

mod routes;

use axum::Router;
use infra::App;
use routes::endpoints::{CustomTopics, Namespaces};
use routes::system_topics::SystemTopics;
use routes::topics::{PartnerDestinations, PartnerTopics};
use routes::{channels, endpoints, subscriptions, system_topics, topics};

/// Every route this function serves, on `app`.
pub fn router(app: App) -> Router {
    let router = endpoints::routes::<Namespaces>(Router::new());
    let router = channels::routes(router);
    let router = endpoints::routes::<CustomTopics>(router);
    let router = topics::routes::<PartnerTopics>(router);
    let router = topics::routes::<PartnerDestinations>(router);
    let router = system_topics::routes(router);
    let router = subscriptions::routes::<PartnerTopics>(router);
    let router = subscriptions::routes::<CustomTopics>(router);
    subscriptions::routes::<SystemTopics>(router)
        .method_not_allowed_fallback(infra::http::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            relay_platform_events,
        ))
        .with_state(app)
}

/// After a request that may have changed something, moves the platform events it recorded to
/// the fan-out queue (what fails here waits for the sweeper's relay).
async fn relay_platform_events(
    axum::extract::State(app): axum::extract::State<App>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let changes = request.method() != axum::http::Method::GET;
    let response = next.run(request).await;
    if changes
        && response.status().is_success()
        && let Err(e) =
            shared::usecases::flows::relay::relay_recent(&app.ports, app.fanout.as_ref()).await
    {
        tracing::warn!(error = %e, "platform events wait for the sweeper's relay");
    }
    response
}
