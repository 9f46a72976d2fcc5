//! The local server's connections: HTTP/1.1 (hyper), accepted under a connection cap, with
//! a header-read timeout (which also closes a keep-alive connection left idle), a deadline for
//! a request's body, and connections that finish their request in hand on shutdown.
//!
//! At the cap, a new connection takes the place of the oldest one that is not inside a request
//! (still sending headers, idle between requests, or not reading its response), which is
//! closed: clients holding half-sent or idle connections cannot keep anyone out. Only
//! connections whose request is being handled hold their place, and each of those ends within
//! the body timeout plus the handler's own time; while every connection is inside a request, a
//! new one waits to be served.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::ConnectInfo;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, oneshot, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

/// How long accepting pauses after an error such as running out of file descriptors.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// What one client may hold, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// From the moment a connection is ready for a request (opened, or done with the previous
    /// one) until the request's headers have all arrived.
    pub header_timeout: Duration,
    /// From the end of a request's headers until its body has all arrived; then 408.
    pub body_timeout: Duration,
    /// Connections open at once.
    pub max_connections: usize,
}

/// Serves `router` on the connections `listener` accepts until `shutdown` resolves, then stops
/// accepting and returns the connections still open. Each finishes the request in hand and
/// closes once `stopping` turns true.
pub async fn accept(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
    stopping: watch::Receiver<bool>,
) -> JoinSet<()> {
    let places = Arc::new(Places::new(limits.max_connections.max(1)));
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        while connections.try_join_next().is_some() {}
        let accepted = tokio::select! {
            biased;
            () = &mut shutdown => return connections,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) if is_connection_error(&e) => continue,
            Err(e) => {
                tracing::error!(error = %e, "accept failed; retrying");
                tokio::select! {
                    biased;
                    () = &mut shutdown => return connections,
                    () = tokio::time::sleep(ACCEPT_BACKOFF) => continue,
                }
            }
        };
        let (place, evicted) = loop {
            if let Some(taken) = places.take() {
                break taken;
            }
            tokio::select! {
                biased;
                () = &mut shutdown => return connections,
                () = places.freed.notified() => {}
            }
        };
        connections.spawn(connection(
            stream,
            peer,
            router.clone(),
            limits,
            place,
            evicted,
            stopping.clone(),
        ));
    }
}

fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    )
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: Limits,
    place: Place,
    mut evicted: oneshot::Receiver<()>,
    mut stopping: watch::Receiver<bool>,
) {
    let requests = place.requests.clone();
    let places = place.places.clone();
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let handling = InRequest::enter(&requests, &places);
        let timed_out = Arc::new(AtomicBool::new(false));
        let body_timeout = limits.body_timeout;
        let mut request = request.map(|body| {
            axum::body::Body::new(Deadline {
                body,
                deadline: Box::pin(tokio::time::sleep(body_timeout)),
                timed_out: timed_out.clone(),
            })
        });
        request.extensions_mut().insert(ConnectInfo(peer));
        let response = router.clone().oneshot(request);
        async move {
            let response = response.await;
            drop(handling);
            if timed_out.load(Ordering::Acquire) {
                Ok(infra::http::request_timeout(body_timeout))
            } else {
                response
            }
        }
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let conn = http.serve_connection(TokioIo::new(stream), service);
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = &mut evicted => return,
        _ = stopping.wait_for(|stop| *stop) => {}
    }
    conn.as_mut().graceful_shutdown();
    tokio::select! {
        _ = conn => {}
        _ = evicted => {}
    }
}

/// The connections open, oldest first, and whether each is inside a request.
struct Places {
    max: usize,
    open: Mutex<Open>,
    /// Signalled when a connection closes or finishes a request.
    freed: Notify,
}

#[derive(Default)]
struct Open {
    next: u64,
    connections: BTreeMap<u64, Held>,
}

struct Held {
    requests: Arc<AtomicUsize>,
    evict: oneshot::Sender<()>,
}

impl Places {
    fn new(max: usize) -> Self {
        Self {
            max,
            open: Mutex::new(Open::default()),
            freed: Notify::new(),
        }
    }

    /// A place for a new connection, and what tells it that it was evicted: a free place, or
    /// that of the oldest connection outside a request, which is closed. `None` while every
    /// place is held by a connection inside a request.
    fn take(self: &Arc<Self>) -> Option<(Place, oneshot::Receiver<()>)> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if open.connections.len() >= self.max {
            let oldest_idle = open
                .connections
                .iter()
                .find(|(_, held)| held.requests.load(Ordering::Acquire) == 0)
                .map(|(id, _)| *id)?;
            if let Some(held) = open.connections.remove(&oldest_idle) {
                let _ = held.evict.send(());
            }
            tracing::debug!(
                connections = self.max,
                "at the connection cap: closed the oldest connection outside a request"
            );
        }
        let id = open.next;
        open.next += 1;
        let (evict, evicted) = oneshot::channel();
        let requests = Arc::new(AtomicUsize::new(0));
        open.connections.insert(
            id,
            Held {
                requests: requests.clone(),
                evict,
            },
        );
        let place = Place {
            id,
            places: self.clone(),
            requests,
        };
        Some((place, evicted))
    }

    fn release(&self, id: u64) {
        self.open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .connections
            .remove(&id);
        self.freed.notify_one();
    }
}

/// A connection's place under the cap, given up when dropped.
struct Place {
    id: u64,
    places: Arc<Places>,
    requests: Arc<AtomicUsize>,
}

impl Drop for Place {
    fn drop(&mut self) {
        self.places.release(self.id);
    }
}

/// A request being handled on a connection, which keeps the connection from being evicted.
struct InRequest {
    requests: Arc<AtomicUsize>,
    places: Arc<Places>,
}

impl InRequest {
    fn enter(requests: &Arc<AtomicUsize>, places: &Arc<Places>) -> Self {
        requests.fetch_add(1, Ordering::AcqRel);
        Self {
            requests: requests.clone(),
            places: places.clone(),
        }
    }
}

impl Drop for InRequest {
    fn drop(&mut self) {
        if self.requests.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.places.freed.notify_one();
        }
    }
}

/// A request body that fails, and marks the request timed out, once its deadline has passed
/// without all of it having arrived.
struct Deadline {
    body: Incoming,
    deadline: Pin<Box<tokio::time::Sleep>>,
    timed_out: Arc<AtomicBool>,
}

impl Body for Deadline {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        if let Poll::Ready(frame) = Pin::new(&mut this.body).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        if this.deadline.as_mut().poll(cx).is_ready() {
            this.timed_out.store(true, Ordering::Release);
            return Poll::Ready(Some(Err("the request body did not arrive in time".into())));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
