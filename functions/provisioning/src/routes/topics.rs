//! Partner topic and partner destination routes (the customer's side): the same records and
//! rules, each handler generic over the [`Paired`] kind its route serves.

use axum::extract::State;
use axum::routing;
use axum::{Json, Router};
use infra::App;
use infra::http::{
    ApiError, Authenticated, Collection, Deleted, JsonBody, Kind, Listing, Page, Resource, Show,
    Shown,
};
use shared::provisioning::topic::{Activation, PartnerTopic};
use shared::resource::Body;
use shared::usecases::resources::partner_topics;

/// What a partner's channel creates in a customer's resource group; [`Show`] says how it is
/// shown.
pub trait Paired: Kind + Show<Record = PartnerTopic> {}

infra::resource_kind! {
    /// Partner topics: where a partner's events arrive for the customer.
    pub PartnerTopics = PartnerTopics, shows PartnerTopic as |topic, _| topic.view()
}

impl Paired for PartnerTopics {}

infra::resource_kind! {
    /// Partner destinations: where the customer's events leave for the partner.
    pub PartnerDestinations = PartnerDestinations,
        shows PartnerTopic as |topic, _| topic.destination_view()
}

impl Paired for PartnerDestinations {}

/// The customer's routes of `K`: the collection, each one, `activate` and `deactivate`.
pub fn routes<K: Paired>(router: Router<App>) -> Router<App> {
    Collection::new(router, K::KIND.segment())
        .list(routing::get(list::<K>))
        .item(routing::get(get::<K>).patch(patch::<K>).delete(delete::<K>))
        .action("activate", routing::post(activate::<K>))
        .action("deactivate", routing::post(deactivate::<K>))
        .router()
}

pub async fn get<K: Paired>(
    State(app): State<App>,
    caller: Authenticated,
    Resource(id, _): Resource<K>,
) -> Result<Json<Shown<K>>, ApiError> {
    let topic = partner_topics::get(&app.ports, &caller, &id).await?;
    Ok(Json(Shown::new(topic)))
}

pub async fn patch<K: Paired>(
    State(app): State<App>,
    caller: Authenticated,
    Resource(id, _): Resource<K>,
    JsonBody(body): JsonBody<Body<serde_json::Value>>,
) -> Result<Json<Shown<K>>, ApiError> {
    let topic = partner_topics::patch(&app.ports, &caller, &id, body).await?;
    Ok(Json(Shown::new(topic)))
}

pub async fn delete<K: Paired>(
    State(app): State<App>,
    caller: Authenticated,
    Resource(id, _): Resource<K>,
) -> Result<Deleted, ApiError> {
    partner_topics::delete(&app.ports, &caller, &id).await?;
    Ok(Deleted)
}

pub async fn activate<K: Paired>(
    State(app): State<App>,
    caller: Authenticated,
    Resource(id, _): Resource<K>,
) -> Result<Json<Shown<K>>, ApiError> {
    let to = Activation::Activate;
    let topic = partner_topics::set_activation(&app.ports, &caller, &id, to).await?;
    Ok(Json(Shown::new(topic)))
}

pub async fn deactivate<K: Paired>(
    State(app): State<App>,
    caller: Authenticated,
    Resource(id, _): Resource<K>,
) -> Result<Json<Shown<K>>, ApiError> {
    let to = Activation::Deactivate;
    let topic = partner_topics::set_activation(&app.ports, &caller, &id, to).await?;
    Ok(Json(Shown::new(topic)))
}

pub async fn list<K: Paired>(
    State(app): State<App>,
    caller: Authenticated,
    listing: Listing,
) -> Result<Page<Shown<K>>, ApiError> {
    let (scope, page) = (&listing.scope, &listing.page);
    let listed = partner_topics::list(&app.ports, &caller, scope, K::KIND, page).await?;
    Ok(listing.links.shown(listed.items, listed.skip_token))
}
