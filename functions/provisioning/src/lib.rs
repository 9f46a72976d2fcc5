//! The provisioning function: partner namespaces (with `listKeys` / `regenerateKey`), their
//! channels, the customer's side of the partner topics those channels create, and the
//! event subscriptions on them with their dead letters and delivery counts.

mod routes;

use axum::Router;
use axum::routing::{get, post, put};
use infra::App;
use infra::http::paths::{EG, SUB_EG};

/// Every route this function serves, on `app`.
pub fn router(app: App) -> Router {
    use routes::{channels as ch, namespaces as ns, subscriptions as es, topics as pt};
    let es_path = format!("{EG}/partnerTopics/{{topic}}/eventSubscriptions");
    Router::new()
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
        .route(&es_path, get(es::list))
        .route(
            &format!("{es_path}/{{name}}"),
            put(es::put)
                .get(es::get)
                .patch(es::patch)
                .delete(es::delete),
        )
        .route(
            &format!("{es_path}/{{name}}/getFullUrl"),
            post(es::full_url),
        )
        .route(
            &format!("{es_path}/{{name}}/getDeliveryAttributes"),
            post(es::delivery_attributes),
        )
        .route(
            &format!("{es_path}/{{name}}/deadLetters"),
            get(es::dead_letters),
        )
        .route(
            &format!("{es_path}/{{name}}/redeliverDeadLetters"),
            post(es::redeliver_dead_letters),
        )
        .route(
            &format!("{es_path}/{{name}}/deliveryStats"),
            get(es::delivery_stats),
        )
        .method_not_allowed_fallback(infra::http::method_not_allowed)
        .with_state(app)
}
