//! The ingest function: `POST /partnerNamespaces/{name}/api/events` and
//! `POST /topics/{name}/api/events`, Event Grid's publish API. A request is checked in this
//! order: size (413), a credential present (401), namespace or topic (404), the caller's address
//! against its network settings (403), the credential (401), content (400), routing and
//! activation (400/403, namespaces only); it is answered 200 only once every event is durably
//! enqueued for fan-out. A valid `traceparent` header (and `tracestate`) is added to each event
//! that has no `traceparent` of its own.

use std::net::IpAddr;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use infra::App;
use infra::http::{ApiError, ClientAddress, DeclaredLengthLimit, PathParams, PublicBase};
use shared::error::{Error, ErrorKind};
use shared::ingest::cloudevents::{self, ContentMode, MAX_REQUEST_BYTES};
use shared::ingest::sas;
use shared::ingest::trace::{self, TraceContext};
use shared::provisioning::custom_topic::CustomTopic;
use shared::provisioning::namespace::PartnerNamespace;
use shared::usecases::flows::publish::{self, Published};

/// The publish route, on `app`.
pub fn router(app: App) -> Router {
    Router::new()
        .route(
            "/partnerNamespaces/{name}/api/events",
            post(publish_events::<PartnerNamespace>),
        )
        .route(
            "/topics/{name}/api/events",
            post(publish_events::<CustomTopic>),
        )
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(DeclaredLengthLimit::new(MAX_REQUEST_BYTES, |n| {
            refused(cloudevents::request_too_large(Some(n)))
        }))
        .method_not_allowed_fallback(infra::http::method_not_allowed)
        .with_state(app)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn query_param(uri: &Uri, name: &str) -> Option<String> {
    uri.query()?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

type Body = Result<Bytes, axum::extract::rejection::BytesRejection>;

/// Counts a refused publish by its code.
fn refused(e: Error) -> Error {
    shared::metrics::refused(e.code);
    e
}

async fn publish_events<E: Published>(
    State(app): State<App>,
    PathParams(name): PathParams<String>,
    base: PublicBase,
    ClientAddress(address): ClientAddress,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let published = publish::<E>(&app, &name, &base, address, &uri, &headers, body).await;
    Ok(published.map_err(refused)?)
}

async fn publish<E: Published>(
    app: &App,
    name: &str,
    base: &PublicBase,
    address: Option<IpAddr>,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, Error> {
    let (body, publisher, url) = front(headers, uri, base, address, body)?;
    let endpoint = app.ingest.authenticate::<E>(name, &url, &publisher).await?;
    let mut events = events(headers, &body)?;
    if let Some(trace) = TraceContext::from_headers(
        header(headers, trace::TRACEPARENT),
        header(headers, trace::TRACESTATE),
    ) {
        trace.apply(&mut events);
    }
    let channel = header(headers, "aeg-channel-name");
    let accepted = app
        .ingest
        .publish(&endpoint, channel, events)
        .await
        .map_err(|e| logged(e, name))?;
    tracing::debug!(endpoint = %name, events = accepted, generation = endpoint.generation, "accepted");
    Ok(StatusCode::OK.into_response())
}

/// What every publish request is checked for before its endpoint is looked up: the body within
/// the size limits, a credential, and the URL the publisher addressed (what a SAS token signs).
fn front(
    headers: &HeaderMap,
    uri: &Uri,
    base: &PublicBase,
    address: Option<IpAddr>,
    body: Body,
) -> Result<(Bytes, publish::Publisher, String), Error> {
    let body = checked_body(headers, body)?;
    let publisher = publisher(uri, headers, address)?;
    Ok((body, publisher, format!("{}{}", base.0, uri.path())))
}

/// The body, within the size limits (413 otherwise).
fn checked_body(headers: &HeaderMap, body: Body) -> Result<Bytes, Error> {
    let declared =
        header(headers, header::CONTENT_LENGTH.as_str()).and_then(|v| v.parse::<usize>().ok());
    cloudevents::check_request_size(declared.unwrap_or(0))?;
    body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            cloudevents::request_too_large(None)
        } else {
            Error::invalid(
                cloudevents::code::INVALID_JSON,
                format!("the request body could not be read: {}", e.body_text()),
            )
        }
    })
}

fn publisher(
    uri: &Uri,
    headers: &HeaderMap,
    address: Option<IpAddr>,
) -> Result<publish::Publisher, Error> {
    let query_key = query_param(uri, "aeg-sas-key");
    let credential = sas::credential(
        header(headers, "aeg-sas-key"),
        query_key.as_deref(),
        header(headers, "aeg-sas-token"),
        header(headers, header::AUTHORIZATION.as_str()),
    )?;
    Ok(publish::Publisher {
        credential,
        address,
    })
}

/// The events of the request, in whichever of the three CloudEvents modes it came.
fn events(headers: &HeaderMap, body: &Bytes) -> Result<Vec<cloudevents::Event>, Error> {
    let content_type = header(headers, header::CONTENT_TYPE.as_str());
    match cloudevents::content_mode(content_type, headers.contains_key("ce-specversion"))? {
        ContentMode::Binary => {
            cloudevents::from_binary(&ce_headers(headers), content_type, body).map(|e| vec![e])
        }
        mode => cloudevents::parse(mode, body),
    }
}

fn logged(e: Error, name: &str) -> Error {
    if e.kind == ErrorKind::Internal || e.kind == ErrorKind::Transient {
        tracing::error!(endpoint = %name, error = %e, "events not accepted");
    }
    e
}

/// The `ce-*` headers, names lower-cased and values percent-decoded (CloudEvents HTTP binding).
fn ce_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("ce-"))
        .filter_map(|(name, value)| {
            let value = value.to_str().ok()?;
            Some((
                name.as_str().to_owned(),
                percent_encoding::percent_decode_str(value)
                    .decode_utf8_lossy()
                    .into_owned(),
            ))
        })
        .collect()
}
