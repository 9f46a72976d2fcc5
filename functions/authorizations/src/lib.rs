//! The authorizations function: operator administration (principals, verified partners),
//! the caller's subscriptions (`GET /subscriptions`), partner registrations and partner
//! configurations with `authorizePartner` / `unauthorizePartner`, as API.md describes them.

mod routes;

use axum::Router;
use axum::routing::{get, patch, post, put};
use infra::App;
use infra::http::Collection;

/// Every route this function serves, on `app`.
pub fn router(app: App) -> Router {
    use routes::{admin, configurations as cfg, registrations as reg};
    let router = Router::new()
        .route("/subscriptions", get(admin::list_subscriptions))
        .route(
            "/admin/principals",
            post(admin::create_principal).get(admin::list_principals),
        )
        .route(
            "/admin/principals/{name}",
            patch(admin::patch_principal).delete(admin::delete_principal),
        )
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
        );
    let router = Collection::new(router, "partnerRegistrations")
        .list(get(reg::list))
        .item(
            put(reg::put)
                .get(reg::get)
                .patch(reg::patch)
                .delete(reg::delete),
        )
        .router();
    Collection::new(router, "partnerConfigurations")
        .list(get(cfg::list))
        .item(
            put(cfg::put)
                .get(cfg::get)
                .patch(cfg::patch)
                .delete(cfg::delete),
        )
        .action("authorizePartner", post(cfg::authorize))
        .action("unauthorizePartner", post(cfg::unauthorize))
        .router()
        .method_not_allowed_fallback(infra::http::method_not_allowed)
        .with_state(app)
}
