//! Typed resource paths: extractors that turn a route's subscription, resource group and name
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
///
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
///
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

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::{Body, to_bytes};
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    crate::resource_kind!(Namespaces = PartnerNamespaces);
    crate::resource_kind!(Channels = Channels);

    const SUB: &str = "5b4b650e-28b9-4790-b3ab-ddbd88d727c4";

    async fn answer(path: &str) -> (StatusCode, String) {
        let router = Router::new()
            .route(
                "/s/{subscription}/g/{resource_group}/n/{name}",
                get(|Resource(id, _): Resource<Namespaces>| async move { id.to_string() }),
            )
            .route(
                "/s/{subscription}/g/{resource_group}/n/{namespace}/c/{name}",
                get(|Child(id, _): Child<Namespaces, Channels>| async move { id.to_string() }),
            );
        let request = Request::get(path).body(Body::empty()).unwrap();
        let response = router.oneshot(request).await.unwrap();
        let status = response.status();
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn a_resource_and_a_child_path_yield_the_ids_of_their_kinds() {
        let (status, id) = answer(&format!("/s/{SUB}/g/rg/n/ns1")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            id.ends_with("/resourceGroups/rg/providers/Microsoft.EventGrid/partnerNamespaces/ns1"),
            "{id}"
        );
        let (status, id) = answer(&format!("/s/{SUB}/g/rg/n/ns1/c/ch1")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(id.ends_with("/partnerNamespaces/ns1/channels/ch1"), "{id}");
    }

    #[tokio::test]
    async fn bad_segments_answer_400_with_the_code_of_the_segment_at_fault() {
        let cases = [
            (
                "/s/not-a-uuid/g/rg/n/ns1".to_owned(),
                "InvalidSubscriptionId",
            ),
            (format!("/s/{SUB}/g/rg./n/ns1"), "InvalidResourceGroupName"),
            (format!("/s/{SUB}/g/rg/n/ab"), "InvalidResourceName"),
            (format!("/s/{SUB}/g/rg/n/ab/c/ch1"), "InvalidResourceName"),
            (format!("/s/{SUB}/g/rg/n/ns1/c/ab"), "InvalidResourceName"),
            (format!("/s/{SUB}/g/rg/n/%FF"), "InvalidRequestContent"),
        ];
        for (path, code) in cases {
            let (status, body) = answer(&path).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
            assert!(
                body.contains(&format!("\"code\":\"{code}\"")),
                "{path}: {body}"
            );
        }
    }
}
