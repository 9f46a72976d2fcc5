//! The provisioning function: partner namespaces (with `listKeys` / `regenerateKey`), their
//! channels, the customer's side of the partner topics those channels create, customer topics,
//! and the event subscriptions on both kinds of topic with their dead letters and delivery
//! counts.

mod routes;

use routes::subscriptions as es;

use axum::Router;
use axum::routing::{get, post, put};
use infra::App;
use infra::http::paths::{EG, SUB_EG};

/// Every route this function serves, on `app`.
pub fn router(app: App) -> Router {
    use routes::{channels as ch, custom_topics as ct, namespaces as ns, topics as pt};
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
        .route(&format!("{EG}/partnerTopics"), get(pt::list))
        .route(&format!("{SUB_EG}/partnerTopics"), get(pt::list))
        .route(
            &format!("{EG}/partnerTopics/{{name}}"),
            get(pt::get).patch(pt::patch).delete(pt::delete),
        )
        .route(
            &format!("{EG}/partnerTopics/{{name}}/activate"),
            post(pt::activate),
        )
        .route(
            &format!("{EG}/partnerTopics/{{name}}/deactivate"),
            post(pt::deactivate),
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
    let router = subscription_routes::<es::OnPartnerTopic>(router, "partnerTopics");
    subscription_routes::<es::OnTopic>(router, "topics")
        .method_not_allowed_fallback(infra::http::method_not_allowed)
        .with_state(app)
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
