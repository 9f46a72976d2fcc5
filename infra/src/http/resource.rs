//! Typed resource paths: extractors that read a route's `subscription`, `resource group`, name
//! segments into a checked [`ResourceId`] of a known [`Kind`], so that handlers receive the id
//! and never parse it themselves.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use shared::ids::{ResourceId, ResourceType};

use super::{ApiError, PathParams};

/// A resource kind a route serves, named by a marker type.
pub trait Kind: Send + Sync + 'static {
    /// The kind's type segment, e.g. `partnerNamespaces`.
    const KIND: ResourceType;
}

/// The id of a resource of kind `K`, from a route whose three parameters are, in order, the
/// subscription, the resource group and the name (e.g.
/// `{EG}/partnerNamespaces/{name}`).
///
/// A segment that is not UTF-8 is `InvalidRequestContent`; a subscription that is not a UUID,
/// a bad resource group or a name `K` does not allow are the errors of
/// [`ResourceId::from_path`] (400, `InvalidSubscriptionId`, `InvalidResourceGroupName`,
/// `InvalidResourceName`).
/// Handlers match it as `Resource(id, _): Resource<K>`.
pub struct Resource<K>(pub ResourceId, pub PhantomData<K>);

impl<S: Send + Sync, K: Kind> FromRequestParts<S> for Resource<K> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let PathParams((subscription, group, name)) =
            PathParams::<(String, String, String)>::from_request_parts(parts, state).await?;
        let id = ResourceId::from_path(&subscription, &group, K::KIND, &name)?;
        Ok(Self(id, PhantomData))
    }
}

/// The id of a child of kind `C` of a resource of kind `P`, from a route whose four
/// parameters are, in order, the subscription, the resource group, the parent's name and the
/// child's name (e.g. `{EG}/topics/{topic}/eventSubscriptions/{name}`).
///
/// The parent's segments fail as in [`Resource`]; then a child name `C` does not allow is
/// `InvalidResourceName` (400), as [`ResourceId::child`] says.
/// Handlers match it as `Child(id, _): Child<P, C>`.
pub struct Child<P, C>(pub ResourceId, pub PhantomData<(P, C)>);

impl<S: Send + Sync, P: Kind, C: Kind> FromRequestParts<S> for Child<P, C> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let PathParams((subscription, group, parent, name)) =
            PathParams::<(String, String, String, String)>::from_request_parts(parts, state)
                .await?;
        let id = ResourceId::from_path(&subscription, &group, P::KIND, &parent)?
            .child(C::KIND, &name)?;
        Ok(Self(id, PhantomData))
    }
}

/// Declares the marker type of one resource kind: its [`Kind`] and, after `shows`, the record
/// its use cases return and how [`Show`](crate::http::Show) shows it (`base` being the public
/// base URL). The calling crate depends on `shared` and `serde`.
///
/// ```ignore
/// infra::resource_kind! {
///     /// A partner namespace's channels.
///     pub Channels = Channels, shows Channel as |channel, _| channel.view()
/// }
/// ```
#[macro_export]
macro_rules! resource_kind {
    ($(#[$doc:meta])* $vis:vis $name:ident = $kind:ident) => {
        $(#[$doc])*
        $vis struct $name;

        impl $crate::http::Kind for $name {
            const KIND: ::shared::ids::ResourceType = ::shared::ids::ResourceType::$kind;
        }
    };
    ($(#[$doc:meta])* $vis:vis $name:ident = $kind:ident,
        shows $record:ty as |$it:ident, $base:pat_param| $view:expr) => {
        $crate::resource_kind!($(#[$doc])* $vis $name = $kind);

        impl $crate::http::Show for $name {
            type Record = $record;
            fn show<'a>($it: &'a $record, $base: &'a str) -> impl ::serde::Serialize + 'a {
                $view
            }
        }
    };
}
