//! Typed responses: what a handler returns names its status and body, and records travel to
//! the response whole, shown through their kind's view as the body is written.

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::{Serialize, Serializer};
use shared::resource::List;

use super::PublicBase;

/// 201 with `T` as JSON, whether or not the resource existed before (e.g. a principal's
/// creation, or the PUTs the REST spec declares as always 201).
pub struct Created<T>(pub T);

impl<T: Serialize> IntoResponse for Created<T> {
    fn into_response(self) -> Response {
        (StatusCode::CREATED, Json(self.0)).into_response()
    }
}

/// The answer to a PUT that tells creating from replacing: 201 when it created the resource,
/// 200 when it replaced one, with `body` as JSON either way.
pub struct Upsert<T> {
    /// Whether the PUT created the resource.
    pub created: bool,
    /// The resource as it now is.
    pub body: T,
}

impl<T: Serialize> IntoResponse for Upsert<T> {
    fn into_response(self) -> Response {
        let status = if self.created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        (status, Json(self.body)).into_response()
    }
}

/// The answer to a DELETE: always 204 with no body, whether or not the resource existed.
pub struct Deleted;

impl IntoResponse for Deleted {
    fn into_response(self) -> Response {
        StatusCode::NO_CONTENT.into_response()
    }
}

/// How responses show one kind of record. A view borrows the record it shows, so a handler
/// answers with the record itself, in a [`Shown`], and the view is made as the body is written.
pub trait Show: Send + Sync + 'static {
    /// The record the kind's use cases return.
    type Record: Send;
    /// The record as the API shows it; `base` is the public base URL, for views that name an
    /// endpoint (empty when the response was made with [`Shown::new`]).
    fn show<'a>(record: &'a Self::Record, base: &'a str) -> impl Serialize + 'a;
}

/// A record written out as `S`'s view of it.
pub struct Shown<S: Show> {
    record: S::Record,
    base: String,
}

impl<S: Show> Shown<S> {
    /// `record`, for a view that names no endpoint.
    pub fn new(record: S::Record) -> Self {
        Self::at(String::new(), record)
    }

    /// `record`, for a view whose endpoints are under `base`.
    pub fn at(base: String, record: S::Record) -> Self {
        Self { record, base }
    }
}

impl<S: Show> Serialize for Shown<S> {
    fn serialize<Z: Serializer>(&self, serializer: Z) -> Result<Z::Ok, Z::Error> {
        S::show(&self.record, &self.base).serialize(serializer)
    }
}

/// A listing page: 200 with `{"value": [...], "nextLink"}` (no `nextLink` on the last page).
pub type Page<T> = Json<List<T>>;

/// The request's own URL, to build a listing's `nextLink` from.
#[derive(Debug, Clone)]
pub struct Links {
    base: String,
    uri: Uri,
}

impl FromRequestParts<crate::App> for Links {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        app: &crate::App,
    ) -> Result<Self, Self::Rejection> {
        let PublicBase(base) = PublicBase::from_request_parts(parts, app).await?;
        Ok(Self {
            base,
            uri: parts.uri.clone(),
        })
    }
}

impl Links {
    /// The public base URL this request came in on.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// This request's URL with `$skipToken` set, or `None` on the last page.
    pub fn next(&self, skip_token: Option<String>) -> Option<String> {
        let token = skip_token?;
        let mut query: Vec<&str> = self
            .uri
            .query()
            .unwrap_or_default()
            .split('&')
            .filter(|p| {
                !p.is_empty() && !p.starts_with("$skipToken=") && !p.starts_with("%24skipToken=")
            })
            .collect();
        let skip = format!("$skipToken={token}");
        query.push(&skip);
        Some(format!(
            "{}{}?{}",
            self.base,
            self.uri.path(),
            query.join("&")
        ))
    }

    /// `value` as a page, followed by the page `skip_token` starts, if any.
    pub fn page<T: Serialize>(&self, value: Vec<T>, skip_token: Option<String>) -> Page<T> {
        Json(List {
            value,
            next_link: self.next(skip_token),
        })
    }

    /// `records` shown as `S` shows them (endpoints under this request's base URL), as a page.
    pub fn shown<S: Show>(
        &self,
        records: Vec<S::Record>,
        skip_token: Option<String>,
    ) -> Page<Shown<S>> {
        let shown = records
            .into_iter()
            .map(|record| Shown::at(self.base.clone(), record))
            .collect();
        self.page(shown, skip_token)
    }
}

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;
    use serde_json::{Value, json};

    use super::*;

    struct Named;

    impl Show for Named {
        type Record = String;
        fn show<'a>(name: &'a String, base: &'a str) -> impl Serialize + 'a {
            json!({"name": name, "endpoint": format!("{base}/{name}")})
        }
    }

    async fn answer(response: impl IntoResponse) -> (StatusCode, Option<Value>) {
        let response = response.into_response();
        let status = response.status();
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice(&body).ok())
    }

    #[tokio::test]
    async fn each_response_answers_its_status_with_its_body() {
        let body = || Some(json!({"a": 1}));
        let cases = [
            (
                answer(Created(json!({"a": 1}))).await,
                StatusCode::CREATED,
                body(),
            ),
            (
                answer(Upsert {
                    created: true,
                    body: json!({"a": 1}),
                })
                .await,
                StatusCode::CREATED,
                body(),
            ),
            (
                answer(Upsert {
                    created: false,
                    body: json!({"a": 1}),
                })
                .await,
                StatusCode::OK,
                body(),
            ),
            (answer(Deleted).await, StatusCode::NO_CONTENT, None),
        ];
        for ((status, got), want_status, want_body) in cases {
            assert_eq!((status, got), (want_status, want_body));
        }
    }

    #[test]
    fn a_shown_record_is_written_as_its_kinds_view_under_its_base() {
        let shown = Shown::<Named>::at("https://h/prod".into(), "ns1".into());
        assert_eq!(
            serde_json::to_value(&shown).unwrap(),
            json!({"name": "ns1", "endpoint": "https://h/prod/ns1"})
        );
    }

    #[test]
    fn a_page_links_the_next_one_with_the_query_kept_and_the_last_one_links_none() {
        let links = Links {
            base: "https://h".into(),
            uri: "/things?$top=2&$skipToken=old".parse().unwrap(),
        };
        let Json(page) = links.shown::<Named>(vec!["a".into()], Some("next".into()));
        assert_eq!(
            page.next_link.as_deref(),
            Some("https://h/things?$top=2&$skipToken=next")
        );
        assert_eq!(
            serde_json::to_value(&page.value).unwrap(),
            json!([{"name": "a", "endpoint": "https://h/a"}])
        );
        assert_eq!(links.page(vec![1], None).0.next_link, None);
    }
}
