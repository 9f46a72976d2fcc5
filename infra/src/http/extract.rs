//! Extractors: the authenticated caller, JSON bodies whose errors name the bad field,
//! `$top` / `$skipToken` paging parameters and the scope of a collection path.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use shared::auth::Caller;
use shared::error::{Error, ErrorKind, code};
use shared::usecases::support::listing::PageRequest;

use super::{ApiError, Links};
use crate::App;

/// The caller behind `Authorization: Bearer <key>`.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Caller);

impl std::ops::Deref for Authenticated {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.0
    }
}

impl FromRequestParts<App> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let key = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .ok_or_else(|| {
                Error::unauthorized(
                    code::AUTHENTICATION_FAILED,
                    "this call needs 'Authorization: Bearer <key>' with a principal's or the operator's key",
                )
            })?;
        let caller =
            shared::usecases::resources::principals::authenticate(&app.ports, &app.operator, key)
                .await?;
        Ok(Self(caller))
    }
}

/// A JSON body decoded into `T`: one JSON value, then only whitespace. An empty body reads as
/// `{}`. Errors name the path of the offending field, e.g. `properties.partnerAuthorization.defaultMaximumExpirationTimeInDays`.
#[derive(Debug, Clone)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            let kind = if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ErrorKind::TooLarge
            } else {
                ErrorKind::Invalid
            };
            let code = if kind == ErrorKind::TooLarge {
                code::PAYLOAD_TOO_LARGE
            } else {
                code::INVALID_REQUEST_CONTENT
            };
            Error::new(
                kind,
                code,
                format!("the request body could not be read: {}", e.body_text()),
            )
        })?;
        let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        let de = &mut serde_json::Deserializer::from_slice(text);
        let value = serde_path_to_error::deserialize(&mut *de)
            .map(JsonBody)
            .map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner();
                let message = if inner.is_syntax() || inner.is_eof() {
                    format!("the request body is not valid JSON: {inner}")
                } else if path == "." || path.is_empty() {
                    format!("the request body has the wrong shape: {inner}")
                } else {
                    format!("the request body is invalid at '{path}': {inner}")
                };
                ApiError(Error::invalid(code::INVALID_REQUEST_CONTENT, message))
            })?;
        de.end().map_err(|e| {
            Error::invalid(
                code::INVALID_REQUEST_CONTENT,
                format!("the request body is not valid JSON: {e} (after the JSON value)"),
            )
        })?;
        Ok(value)
    }
}

/// `$top` and `$skipToken` from the query string.
#[derive(Debug, Clone, Default)]
pub struct PageQuery(pub PageRequest);

impl<S: Send + Sync> FromRequestParts<S> for PageQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let mut page = PageRequest::default();
        for pair in parts.uri.query().unwrap_or_default().split('&') {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            match name {
                "$top" | "%24top" => {
                    let top = value.parse().map_err(|_| {
                        Error::invalid(
                            code::INVALID_PROPERTY,
                            format!("$top '{value}' is not a whole number"),
                        )
                    })?;
                    page.top = Some(top);
                }
                "$skipToken" | "%24skipToken" => page.skip_token = Some(value.to_owned()),
                _ => {}
            }
        }
        Ok(Self(page))
    }
}

/// The scope of a collection path: a subscription, and a resource group when the path has one
/// (route parameters `subscription` and `resource_group`).
#[derive(Debug, Clone)]
pub struct ScopePath(pub shared::usecases::support::listing::Scope);

impl<S: Send + Sync> FromRequestParts<S> for ScopePath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let PathParams(params) =
            PathParams::<std::collections::HashMap<String, String>>::from_request_parts(
                parts, state,
            )
            .await?;
        let subscription = shared::ids::SubscriptionId::parse(
            params.get("subscription").map_or("", String::as_str),
        )?;
        Ok(Self(shared::usecases::support::listing::Scope {
            subscription,
            resource_group: params.get("resource_group").cloned(),
        }))
    }
}

/// A request for a page of a top-level collection: the scope its path names (per resource group
/// or per subscription), the page its query asks for, and its links to build the answer from.
/// Read in that order: [`Links`], [`ScopePath`], [`PageQuery`], failing as they fail.
#[derive(Debug, Clone)]
pub struct Listing {
    /// This request's URL, to link the next page.
    pub links: Links,
    /// The subscription, and the resource group when the path names one.
    pub scope: shared::usecases::support::listing::Scope,
    /// `$top` and `$skipToken`.
    pub page: PageRequest,
}

impl FromRequestParts<App> for Listing {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let Ok(links) = Links::from_request_parts(parts, app).await;
        let ScopePath(scope) = ScopePath::from_request_parts(parts, app).await?;
        let PageQuery(page) = PageQuery::from_request_parts(parts, app).await?;
        Ok(Self { links, scope, page })
    }
}

/// Route parameters, whose rejection (e.g. a segment that is not UTF-8) is an ARM error body.
#[derive(Debug, Clone)]
pub struct PathParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PathParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| Self(v))
            .map_err(|e| {
                ApiError(Error::invalid(
                    code::INVALID_REQUEST_CONTENT,
                    format!("the request path is invalid: {}", e.body_text()),
                ))
            })
    }
}
