//! Operator routes (principals, verified partners) and the public verified-partner reads.

use axum::Json;
use axum::extract::State;
use infra::App;
use infra::http::{
    ApiError, Authenticated, Created, Deleted, JsonBody, Links, Page, PageQuery, PathParams, Show,
    Shown, Upsert,
};
use serde::Serialize;
use shared::partners::verified::VerifiedPartner;
use shared::usecases::resources::principals::{
    self, CreatePrincipal, CreatedPrincipal, PatchPrincipal, PrincipalView, SubscriptionView,
};
use shared::usecases::resources::verified_partners::{self, VerifiedPartnerInput};

/// The partners the operator has verified, a provider-level resource.
pub struct VerifiedPartners;

impl Show for VerifiedPartners {
    type Record = VerifiedPartner;
    fn show<'a>(partner: &'a VerifiedPartner, _: &'a str) -> impl Serialize + 'a {
        partner.view()
    }
}

pub async fn create_principal(
    State(app): State<App>,
    caller: Authenticated,
    JsonBody(input): JsonBody<CreatePrincipal>,
) -> Result<Created<CreatedPrincipal>, ApiError> {
    let created = principals::create_principal(&app.ports, &caller, input).await?;
    tracing::info!(principal = %created.name, subscriptions = created.subscriptions.len(), "principal created");
    Ok(Created(created))
}

pub async fn list_principals(
    State(app): State<App>,
    caller: Authenticated,
    links: Links,
    PageQuery(page): PageQuery,
) -> Result<Page<PrincipalView>, ApiError> {
    let listed = principals::list_principals(&app.ports, &caller, &page).await?;
    Ok(links.page(listed.items, listed.skip_token))
}

/// `GET /subscriptions`, as Azure's Subscriptions - List answers it: the caller's own.
pub async fn list_subscriptions(caller: Authenticated, links: Links) -> Page<SubscriptionView> {
    links.page(principals::subscriptions_of(&caller), None)
}

pub async fn patch_principal(
    State(app): State<App>,
    caller: Authenticated,
    PathParams(name): PathParams<String>,
    JsonBody(patch): JsonBody<PatchPrincipal>,
) -> Result<Json<PrincipalView>, ApiError> {
    let changed = principals::patch_principal(&app.ports, &caller, &name, patch).await?;
    tracing::info!(principal = %name, aws_accounts = changed.aws_accounts.len(), "principal changed");
    Ok(Json(changed))
}

pub async fn delete_principal(
    State(app): State<App>,
    caller: Authenticated,
    PathParams(name): PathParams<String>,
) -> Result<Deleted, ApiError> {
    principals::delete_principal(&app.ports, &caller, &name).await?;
    tracing::info!(principal = %name, "principal revoked");
    Ok(Deleted)
}

pub async fn put_verified_partner(
    State(app): State<App>,
    caller: Authenticated,
    PathParams(name): PathParams<String>,
    JsonBody(input): JsonBody<VerifiedPartnerInput>,
) -> Result<Upsert<Shown<VerifiedPartners>>, ApiError> {
    let (partner, created) = verified_partners::put(&app.ports, &caller, &name, input).await?;
    Ok(Upsert {
        created,
        body: Shown::new(partner),
    })
}

pub async fn delete_verified_partner(
    State(app): State<App>,
    caller: Authenticated,
    PathParams(name): PathParams<String>,
) -> Result<Deleted, ApiError> {
    verified_partners::delete(&app.ports, &caller, &name).await?;
    Ok(Deleted)
}

pub async fn get_verified_partner(
    State(app): State<App>,
    _caller: Authenticated,
    PathParams(name): PathParams<String>,
) -> Result<Json<Shown<VerifiedPartners>>, ApiError> {
    let partner = verified_partners::get(&app.ports, &name).await?;
    Ok(Json(Shown::new(partner)))
}

pub async fn list_verified_partners(
    State(app): State<App>,
    _caller: Authenticated,
    links: Links,
    PageQuery(page): PageQuery,
) -> Result<Page<Shown<VerifiedPartners>>, ApiError> {
    let listed = verified_partners::list(&app.ports, &page).await?;
    Ok(links.shown(listed.items, listed.skip_token))
}
