//! Partner namespace and customer topic routes: both are endpoints customers publish to with a
//! key, served by the same handlers, each generic over the [`PublishRoutes`] its route serves.

use std::future::Future;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing;
use infra::App;
use infra::http::{
    ApiError, Authenticated, Collection, Created, Deleted, JsonBody, Kind, Listing, Page,
    PublicBase, Resource, Show, Shown,
};
use serde::de::DeserializeOwned;
use shared::Result;
use shared::auth::Caller;
use shared::ids::ResourceId;
use shared::ports::Ports;
use shared::provisioning::custom_topic::{CustomTopic, TopicInput};
use shared::provisioning::endpoint::{AccessKeys, PublishEndpoint, RegenerateKey};
use shared::provisioning::namespace::{NamespaceInput, NamespacePatch, PartnerNamespace};
use shared::resource::Body;
use shared::usecases::resources::{custom_topics, endpoints, namespaces};

/// A resource customers publish to with one of its two keys: what its own use cases take
/// (reads, lists and keys are `endpoints`', the same for both).
pub trait PublishRoutes: Kind + Show<Record: PublishEndpoint> {
    /// The properties of a PUT body.
    type Input: DeserializeOwned + Send;
    /// The properties of a PATCH body.
    type Patch: DeserializeOwned + Send;

    /// Creates (true) or replaces (false) one.
    fn put(
        ports: &Ports,
        caller: &Caller,
        id: &ResourceId,
        body: Body<Self::Input>,
    ) -> impl Future<Output = Result<(Self::Record, bool)>> + Send;
    /// Changes what a PATCH may.
    fn patch(
        ports: &Ports,
        caller: &Caller,
        id: &ResourceId,
        body: Body<Self::Patch>,
    ) -> impl Future<Output = Result<Self::Record>> + Send;
    /// Deletes one and what hangs under it.
    fn delete(
        ports: &Ports,
        caller: &Caller,
        id: &ResourceId,
    ) -> impl Future<Output = Result<()>> + Send;
}

/// Implements [`PublishRoutes`] for a resource whose own use cases are `put`, `patch` and
/// `delete` in the module `$cases`.
macro_rules! endpoint {
    ($name:ident: input $input:ty, patch $patch:ty, use cases in $cases:ident) => {
        impl PublishRoutes for $name {
            type Input = $input;
            type Patch = $patch;
            fn put(
                ports: &Ports,
                caller: &Caller,
                id: &ResourceId,
                body: Body<Self::Input>,
            ) -> impl Future<Output = Result<(Self::Record, bool)>> + Send {
                $cases::put(ports, caller, id, body)
            }
            fn patch(
                ports: &Ports,
                caller: &Caller,
                id: &ResourceId,
                body: Body<Self::Patch>,
            ) -> impl Future<Output = Result<Self::Record>> + Send {
                $cases::patch(ports, caller, id, body)
            }
            fn delete(
                ports: &Ports,
                caller: &Caller,
                id: &ResourceId,
            ) -> impl Future<Output = Result<()>> + Send {
                $cases::delete(ports, caller, id)
            }
        }
    };
}

infra::resource_kind! {
    /// Partner namespaces: where a partner publishes, through its channels, to customers.
    pub Namespaces = PartnerNamespaces,
        shows PartnerNamespace as |namespace, base| namespace.view(base)
}

endpoint!(Namespaces: input NamespaceInput, patch NamespacePatch, use cases in namespaces);

infra::resource_kind! {
    /// Customer topics (Event Grid "custom topics"): where a customer publishes to its own
    /// subscriptions.
    pub CustomTopics = Topics, shows CustomTopic as |topic, base| topic.view(base)
}

endpoint!(CustomTopics: input TopicInput, patch TopicInput, use cases in custom_topics);

/// `E`'s routes: the collection, each resource, `listKeys` and `regenerateKey`.
pub fn routes<E: PublishRoutes>(router: Router<App>) -> Router<App> {
    Collection::new(router, E::KIND.segment())
        .list(routing::get(list::<E>))
        .item(
            routing::put(put::<E>)
                .get(get::<E>)
                .patch(patch::<E>)
                .delete(delete::<E>),
        )
        .action("listKeys", routing::post(list_keys::<E>))
        .action("regenerateKey", routing::post(regenerate_key::<E>))
        .router()
}

/// Always 201, whether it created or replaced, as the REST spec declares for both.
pub async fn put<E: PublishRoutes>(
    State(app): State<App>,
    PublicBase(base): PublicBase,
    caller: Authenticated,
    Resource(id, _): Resource<E>,
    JsonBody(body): JsonBody<Body<E::Input>>,
) -> Result<Created<Shown<E>>, ApiError> {
    let (record, created) = E::put(&app.ports, &caller, &id, body).await?;
    tracing::info!(resource = %id, created, "{} stored", E::Record::WHAT);
    Ok(Created(Shown::at(base, record)))
}

pub async fn get<E: PublishRoutes>(
    State(app): State<App>,
    PublicBase(base): PublicBase,
    caller: Authenticated,
    Resource(id, _): Resource<E>,
) -> Result<Json<Shown<E>>, ApiError> {
    let record = endpoints::get::<E::Record>(&app.ports, &caller, &id).await?;
    Ok(Json(Shown::at(base, record)))
}

pub async fn patch<E: PublishRoutes>(
    State(app): State<App>,
    PublicBase(base): PublicBase,
    caller: Authenticated,
    Resource(id, _): Resource<E>,
    JsonBody(body): JsonBody<Body<E::Patch>>,
) -> Result<Json<Shown<E>>, ApiError> {
    let record = E::patch(&app.ports, &caller, &id, body).await?;
    Ok(Json(Shown::at(base, record)))
}

pub async fn delete<E: PublishRoutes>(
    State(app): State<App>,
    caller: Authenticated,
    Resource(id, _): Resource<E>,
) -> Result<Deleted, ApiError> {
    E::delete(&app.ports, &caller, &id).await?;
    tracing::info!(resource = %id, "{} deleted", E::Record::WHAT);
    Ok(Deleted)
}

pub async fn list<E: PublishRoutes>(
    State(app): State<App>,
    caller: Authenticated,
    listing: Listing,
) -> Result<Page<Shown<E>>, ApiError> {
    let listed =
        endpoints::list::<E::Record>(&app.ports, &caller, &listing.scope, &listing.page).await?;
    Ok(listing.links.shown(listed.items, listed.skip_token))
}

pub async fn list_keys<E: PublishRoutes>(
    State(app): State<App>,
    caller: Authenticated,
    Resource(id, _): Resource<E>,
) -> Result<Json<AccessKeys>, ApiError> {
    Ok(Json(
        endpoints::list_keys::<E::Record>(&app.ports, &caller, &id).await?,
    ))
}

pub async fn regenerate_key<E: PublishRoutes>(
    State(app): State<App>,
    caller: Authenticated,
    Resource(id, _): Resource<E>,
    JsonBody(request): JsonBody<RegenerateKey>,
) -> Result<Json<AccessKeys>, ApiError> {
    Ok(Json(
        endpoints::regenerate_key::<E::Record>(&app.ports, &caller, &id, request).await?,
    ))
}
