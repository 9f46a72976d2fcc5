//! The provisioning function: partner namespaces (with `listKeys` / `regenerateKey`), their
//! channels, the customer's side of the partner topics those channels create, customer topics,
//! each customer subscription's system topic of platform events, and the event subscriptions on
//! all three kinds of topic with their dead letters and delivery counts.

mod routes;

use routes::subscriptions as es;
use routes::topics as pt;

use axum::Router;
use axum::routing::{get, post, put};
use infra::App;
use infra::http::paths::{EG, SUB_EG};

/// Every route this function serves, on `app`.
pub fn router(app: App) -> Router {
    use routes::{channels as ch, custom_topics as ct, namespaces as ns, system_topics as st};
    let router = Router::new()
        .route(&format!("{EG}/partnerNamespaces"), get(ns::list))
        .route(&format!("{SUB_EG}/partnerNamespaces"), get(ns::list))
        .route(
            &format!("{EG}/partnerNamespaces/{{name}}"),
            put(ns::put)
                .get(ns::get)
                .patch(ns::patch)
                .delete(ns::delete),
        )
        .route(
            &format!("{EG}/partnerNamespaces/{{name}}/listKeys"),
            post(ns::list_keys),
        )
        .route(
            &format!("{EG}/partnerNamespaces/{{name}}/regenerateKey"),
            post(ns::regenerate_key),
        )
        .route(
            &format!("{EG}/partnerNamespaces/{{namespace}}/channels"),
            get(ch::list),
        )
        .route(
            &format!("{EG}/partnerNamespaces/{{namespace}}/channels/{{name}}"),
            put(ch::put)
                .get(ch::get)
                .patch(ch::patch)
                .delete(ch::delete),
        )
        .route(
            &format!("{EG}/partnerNamespaces/{{namespace}}/channels/{{name}}/getFullUrl"),
            post(ch::full_url),
        )
        .route(&format!("{EG}/topics"), get(ct::list))
        .route(&format!("{SUB_EG}/topics"), get(ct::list))
        .route(
            &format!("{EG}/topics/{{name}}"),
            put(ct::put)
                .get(ct::get)
                .patch(ct::patch)
                .delete(ct::delete),
        )
        .route(
            &format!("{EG}/topics/{{name}}/listKeys"),
            post(ct::list_keys),
        )
        .route(
            &format!("{EG}/topics/{{name}}/regenerateKey"),
            post(ct::regenerate_key),
        );
    let router = paired_routes::<pt::Topic>(router, "partnerTopics");
    let router = paired_routes::<pt::Destination>(router, "partnerDestinations");
    let router = router
        .route(&format!("{EG}/systemTopics"), get(st::list))
        .route(&format!("{SUB_EG}/systemTopics"), get(st::list))
        .route(&format!("{EG}/systemTopics/{{name}}"), get(st::get));
    let router = subscription_routes::<es::OnPartnerTopic>(router, "partnerTopics");
    let router = subscription_routes::<es::OnTopic>(router, "topics");
    subscription_routes::<es::OnSystemTopic>(router, "systemTopics")
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

/// The customer's routes of what a channel creates, at `{EG}/{kind}`.
fn paired_routes<K: pt::Paired>(router: Router<App>, kind: &str) -> Router<App> {
    router
        .route(&format!("{EG}/{kind}"), get(pt::list::<K>))
        .route(&format!("{SUB_EG}/{kind}"), get(pt::list::<K>))
        .route(
            &format!("{EG}/{kind}/{{name}}"),
            get(pt::get::<K>)
                .patch(pt::patch::<K>)
                .delete(pt::delete::<K>),
        )
        .route(
            &format!("{EG}/{kind}/{{name}}/activate"),
            post(pt::activate::<K>),
        )
        .route(
            &format!("{EG}/{kind}/{{name}}/deactivate"),
            post(pt::deactivate::<K>),
        )
}

/// The event subscription routes under `{EG}/{topics}/{topic}`.
fn subscription_routes<S: es::Scope>(router: Router<App>, topics: &str) -> Router<App> {
    let path = format!("{EG}/{topics}/{{topic}}/eventSubscriptions");
    router
        .route(&path, get(es::list::<S>))
        .route(
            &format!("{path}/{{name}}"),
            put(es::put::<S>)
                .get(es::get::<S>)
                .patch(es::patch::<S>)
                .delete(es::delete::<S>),
        )
        .route(
            &format!("{path}/{{name}}/getFullUrl"),
            post(es::full_url::<S>),
        )
        .route(
            &format!("{path}/{{name}}/getDeliveryAttributes"),
            post(es::delivery_attributes::<S>),
        )
        .route(
            &format!("{path}/{{name}}/deadLetters"),
            get(es::dead_letters::<S>),
        )
        .route(
            &format!("{path}/{{name}}/redeliverDeadLetters"),
            post(es::redeliver_dead_letters::<S>),
        )
        .route(
            &format!("{path}/{{name}}/deliveryStats"),
            get(es::delivery_stats::<S>),
        )
}
