//! The authorizations function: operator administration (principals, verified partners),
//! partner registrations and partner configurations with `authorizePartner` /
//! `unauthorizePartner`, as API.md describes them.

mod routes;

use axum::Router;
use axum::routing::{delete, get, post, put};
use infra::App;

const EG: &str =
    "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.EventGrid";
const SUB_EG: &str = "/subscriptions/{subscription}/providers/Microsoft.EventGrid";

/// Every route this function serves, on `app`.
pub fn router(app: App) -> Router {
    use routes::{admin, configurations as cfg, registrations as reg};
    Router::new()
        .route("/admin/principals", post(admin::create_principal))
        .route("/admin/principals/{name}", delete(admin::delete_principal))
        .route(
            "/admin/verifiedPartners/{name}",
            put(admin::put_verified_partner).delete(admin::delete_verified_partner),
        )
        .route(
            "/providers/Microsoft.EventGrid/verifiedPartners",
            get(admin::list_verified_partners),
        )
        .route(
            "/providers/Microsoft.EventGrid/verifiedPartners/{name}",
            get(admin::get_verified_partner),
        )
        .route(&format!("{EG}/partnerRegistrations"), get(reg::list))
        .route(&format!("{SUB_EG}/partnerRegistrations"), get(reg::list))
        .route(
            &format!("{EG}/partnerRegistrations/{{name}}"),
            put(reg::put)
                .get(reg::get)
                .patch(reg::patch)
                .delete(reg::delete),
        )
        .route(&format!("{EG}/partnerConfigurations"), get(cfg::list))
        .route(&format!("{SUB_EG}/partnerConfigurations"), get(cfg::list))
        .route(
            &format!("{EG}/partnerConfigurations/{{name}}"),
            put(cfg::put)
                .get(cfg::get)
                .patch(cfg::patch)
                .delete(cfg::delete),
        )
        .route(
            &format!("{EG}/partnerConfigurations/{{name}}/authorizePartner"),
            post(cfg::authorize),
        )
        .route(
            &format!("{EG}/partnerConfigurations/{{name}}/unauthorizePartner"),
            post(cfg::unauthorize),
        )
        .method_not_allowed_fallback(infra::http::method_not_allowed)
        .with_state(app)
}
