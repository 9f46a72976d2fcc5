//! Channel routes: a partner's channels under its namespace.

use axum::extract::State;
use axum::routing;
use axum::{Json, Router};
use infra::App;
use infra::http::{
    ApiError, Authenticated, Child, Collection, Deleted, JsonBody, Links, Page, PageQuery,
    Resource, Shown, Upsert,
};
use shared::provisioning::channel::{Channel, ChannelInput, ChannelPatch};
use shared::resource::Body;
use shared::subscriptions::SigningSecrets;
use shared::usecases::resources::{channels, partner_destinations};

use super::FullUrl;
use super::endpoints::Namespaces;

infra::resource_kind! {
    /// A partner namespace's channels, each creating a partner topic or destination for a
    /// customer.
    pub Channels = Channels, shows Channel as |channel, _| channel.view()
}

/// The channel routes, under `{EG}/partnerNamespaces/{namespace}`.
pub fn routes(router: Router<App>) -> Router<App> {
    Collection::new(router, "partnerNamespaces/{namespace}/channels")
        .list(routing::get(list))
        .item(routing::put(put).get(get).patch(patch).delete(delete))
        .action("getFullUrl", routing::post(full_url))
        .action("getSigningSecrets", routing::post(signing_secrets))
        .action("rotateSigningSecret", routing::post(rotate_signing_secret))
        .router()
}

pub async fn put(
    State(app): State<App>,
    caller: Authenticated,
    Child(id, _): Child<Namespaces, Channels>,
    JsonBody(body): JsonBody<Body<ChannelInput>>,
) -> Result<Upsert<Shown<Channels>>, ApiError> {
    let (channel, created) = channels::put(&app.ports, &caller, &id, body).await?;
    Ok(Upsert {
        created,
        body: Shown::new(channel),
    })
}

pub async fn get(
    State(app): State<App>,
    caller: Authenticated,
    Child(id, _): Child<Namespaces, Channels>,
) -> Result<Json<Shown<Channels>>, ApiError> {
    let channel = channels::get(&app.ports, &caller, &id).await?;
    Ok(Json(Shown::new(channel)))
}

pub async fn patch(
    State(app): State<App>,
    caller: Authenticated,
    Child(id, _): Child<Namespaces, Channels>,
    JsonBody(body): JsonBody<Body<ChannelPatch>>,
) -> Result<Json<Shown<Channels>>, ApiError> {
    let channel = channels::patch(&app.ports, &caller, &id, body).await?;
    Ok(Json(Shown::new(channel)))
}

pub async fn delete(
    State(app): State<App>,
    caller: Authenticated,
    Child(id, _): Child<Namespaces, Channels>,
) -> Result<Deleted, ApiError> {
    channels::delete(&app.ports, &caller, &id).await?;
    Ok(Deleted)
}

pub async fn list(
    State(app): State<App>,
    caller: Authenticated,
    links: Links,
    Resource(namespace, _): Resource<Namespaces>,
    PageQuery(page): PageQuery,
) -> Result<Page<Shown<Channels>>, ApiError> {
    let listed = channels::list(&app.ports, &caller, &namespace, &page).await?;
    Ok(links.shown(listed.items, listed.skip_token))
}

/// `POST .../getFullUrl` of a `PartnerDestination` channel.
pub async fn full_url(
    State(app): State<App>,
    caller: Authenticated,
    Child(id, _): Child<Namespaces, Channels>,
) -> Result<Json<FullUrl>, ApiError> {
    let endpoint_url = channels::full_url(&app.ports, &caller, &id).await?;
    Ok(Json(FullUrl { endpoint_url }))
}

/// `POST .../getSigningSecrets` of a `PartnerDestination` channel: what deliveries to its
/// destination are signed with.
pub async fn signing_secrets(
    State(app): State<App>,
    caller: Authenticated,
    Child(id, _): Child<Namespaces, Channels>,
) -> Result<Json<SigningSecrets>, ApiError> {
    let secrets = partner_destinations::signing_secrets(&app.ports, &caller, &id).await?;
    Ok(Json(secrets))
}

/// `POST .../rotateSigningSecret` of a `PartnerDestination` channel.
pub async fn rotate_signing_secret(
    State(app): State<App>,
    caller: Authenticated,
    Child(id, _): Child<Namespaces, Channels>,
) -> Result<Json<SigningSecrets>, ApiError> {
    let secrets = partner_destinations::rotate_signing_secret(&app.ports, &caller, &id).await?;
    tracing::info!(channel = %id, "partner destination signing secret rotated");
    Ok(Json(secrets))
}
