//! Partner namespace and customer topic routes: both are endpoints customers publish to with a
//! key, served by the same handlers, each generic over the [`Endpoint`] its route serves.

use std::future::Future;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing;
use infra::App;
use infra::http::{
    ApiError, Authenticated, Collection, Created, Deleted, JsonBody, Kind, Links, Page, PageQuery,
    PublicBase, Resource, ScopePath, Show, Shown,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::Result;
use shared::auth::Caller;
use shared::ids::{ResourceId, ResourceType};
use shared::ports::Ports;
use shared::provisioning::custom_topic::{CustomTopic, TopicInput};
use shared::provisioning::namespace::{
    NamespaceInput, NamespaceKeys, NamespacePatch, PartnerNamespace,
};
use shared::resource::Body;
use shared::usecases::namespaces::RegenerateKey;
use shared::usecases::{Listed, PageRequest, Scope, custom_topics, namespaces};

/// A resource customers publish to with one of its two keys; its use cases.
pub trait Endpoint: Kind + Show {
    /// The properties of a PUT body.
    type Input: DeserializeOwned + Send;
    /// The properties of a PATCH body.
    type Patch: DeserializeOwned + Send;
    /// What the log calls one, e.g. `partner namespace`.
    const NOUN: &'static str;

    fn put(
        ports: &Ports,
        caller: &Caller,
        id: &ResourceId,
        body: Body<Self::Input>,
    ) -> impl Future<Output = Result<(Self::Record, bool)>> + Send;
    fn get(
        ports: &Ports,
        caller: &Caller,
        id: &ResourceId,
    ) -> impl Future<Output = Result<Self::Record>> + Send;
    fn patch(
        ports: &Ports,
        caller: &Caller,
        id: &ResourceId,
        body: Body<Self::Patch>,
    ) -> impl Future<Output = Result<Self::Record>> + Send;
    fn delete(
        ports: &Ports,
        caller: &Caller,
        id: &ResourceId,
    ) -> impl Future<Output = Result<()>> + Send;
    fn list(
        ports: &Ports,
        caller: &Caller,
        scope: &Scope,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Listed<Self::Record>>> + Send;
    fn list_keys(
        ports: &Ports,
        caller: &Caller,
        id: &ResourceId,
    ) -> impl Future<Output = Result<NamespaceKeys>> + Send;
    fn regenerate_key(
        ports: &Ports,
        caller: &Caller,
        id: &ResourceId,
        request: RegenerateKey,
    ) -> impl Future<Output = Result<NamespaceKeys>> + Send;
}

/// The [`Endpoint`] use cases of a resource: the functions of the same names in `$cases`.
macro_rules! use_cases_in {
    ($cases:ident) => {
        fn put(
            ports: &Ports,
            caller: &Caller,
            id: &ResourceId,
            body: Body<Self::Input>,
        ) -> impl Future<Output = Result<(Self::Record, bool)>> + Send {
            $cases::put(ports, caller, id, body)
        }
        fn get(
            ports: &Ports,
            caller: &Caller,
            id: &ResourceId,
        ) -> impl Future<Output = Result<Self::Record>> + Send {
            $cases::get(ports, caller, id)
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
        fn list(
            ports: &Ports,
            caller: &Caller,
            scope: &Scope,
            page: &PageRequest,
        ) -> impl Future<Output = Result<Listed<Self::Record>>> + Send {
            $cases::list(ports, caller, scope, page)
        }
        fn list_keys(
            ports: &Ports,
            caller: &Caller,
            id: &ResourceId,
        ) -> impl Future<Output = Result<NamespaceKeys>> + Send {
            $cases::list_keys(ports, caller, id)
        }
        fn regenerate_key(
            ports: &Ports,
            caller: &Caller,
            id: &ResourceId,
            request: RegenerateKey,
        ) -> impl Future<Output = Result<NamespaceKeys>> + Send {
            $cases::regenerate_key(ports, caller, id, request)
        }
    };
}

/// Partner namespaces: where a partner publishes, through its channels, to customers.
pub struct Namespaces;

impl Kind for Namespaces {
    const KIND: ResourceType = ResourceType::PartnerNamespaces;
}

impl Show for Namespaces {
    type Record = PartnerNamespace;
    fn show<'a>(namespace: &'a PartnerNamespace, base: &'a str) -> impl Serialize + 'a {
        namespace.view(base)
    }
}

impl Endpoint for Namespaces {
    type Input = NamespaceInput;
    type Patch = NamespacePatch;
    const NOUN: &'static str = "partner namespace";
    use_cases_in!(namespaces);
}

/// Customer topics (Event Grid "custom topics"): where a customer publishes to its own
/// subscriptions.
pub struct CustomTopics;

impl Kind for CustomTopics {
    const KIND: ResourceType = ResourceType::Topics;
}

impl Show for CustomTopics {
    type Record = CustomTopic;
    fn show<'a>(topic: &'a CustomTopic, base: &'a str) -> impl Serialize + 'a {
        topic.view(base)
    }
}

impl Endpoint for CustomTopics {
    type Input = TopicInput;
    type Patch = TopicInput;
    const NOUN: &'static str = "topic";
    use_cases_in!(custom_topics);
}

/// `E`'s routes: the collection, each resource, `listKeys` and `regenerateKey`.
pub fn routes<E: Endpoint>(router: Router<App>) -> Router<App> {
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
pub async fn put<E: Endpoint>(
    State(app): State<App>,
    PublicBase(base): PublicBase,
    caller: Authenticated,
    Resource(id, _): Resource<E>,
    JsonBody(body): JsonBody<Body<E::Input>>,
) -> Result<Created<Shown<E>>, ApiError> {
    let (record, created) = E::put(&app.ports, &caller, &id, body).await?;
    tracing::info!(resource = %id, created, "{} stored", E::NOUN);
    Ok(Created(Shown::at(base, record)))
}

pub async fn get<E: Endpoint>(
    State(app): State<App>,
    PublicBase(base): PublicBase,
    caller: Authenticated,
    Resource(id, _): Resource<E>,
) -> Result<Json<Shown<E>>, ApiError> {
    let record = E::get(&app.ports, &caller, &id).await?;
    Ok(Json(Shown::at(base, record)))
}

pub async fn patch<E: Endpoint>(
    State(app): State<App>,
    PublicBase(base): PublicBase,
    caller: Authenticated,
    Resource(id, _): Resource<E>,
    JsonBody(body): JsonBody<Body<E::Patch>>,
) -> Result<Json<Shown<E>>, ApiError> {
    let record = E::patch(&app.ports, &caller, &id, body).await?;
    Ok(Json(Shown::at(base, record)))
}

pub async fn delete<E: Endpoint>(
    State(app): State<App>,
    caller: Authenticated,
    Resource(id, _): Resource<E>,
) -> Result<Deleted, ApiError> {
    E::delete(&app.ports, &caller, &id).await?;
    tracing::info!(resource = %id, "{} deleted", E::NOUN);
    Ok(Deleted)
}

/// Lists per resource group or per subscription, whichever the path names.
pub async fn list<E: Endpoint>(
    State(app): State<App>,
    caller: Authenticated,
    links: Links,
    scope: ScopePath,
    PageQuery(page): PageQuery,
) -> Result<Page<Shown<E>>, ApiError> {
    let listed = E::list(&app.ports, &caller, &scope.0, &page).await?;
    Ok(links.shown(listed.items, listed.skip_token))
}

pub async fn list_keys<E: Endpoint>(
    State(app): State<App>,
    caller: Authenticated,
    Resource(id, _): Resource<E>,
) -> Result<Json<NamespaceKeys>, ApiError> {
    Ok(Json(E::list_keys(&app.ports, &caller, &id).await?))
}

pub async fn regenerate_key<E: Endpoint>(
    State(app): State<App>,
    caller: Authenticated,
    Resource(id, _): Resource<E>,
    JsonBody(request): JsonBody<RegenerateKey>,
) -> Result<Json<NamespaceKeys>, ApiError> {
    Ok(Json(
        E::regenerate_key(&app.ports, &caller, &id, request).await?,
    ))
}
