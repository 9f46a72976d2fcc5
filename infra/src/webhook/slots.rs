//! Per-endpoint slots: at most so many requests in flight to one endpoint (scheme, host and
//! port) at once. A new endpoint starts at [`START`]; the limit halves on each failed attempt
//! (no answer, 429, 5xx, cut off by its budget) and grows by one on each answered one, up to
//! the most, and never above the endpoint's fair share of the client's requests (the client's
//! bound divided by the endpoints with requests in flight). So a failing or slow endpoint gets
//! fewer attempts at once and no endpoint takes more than its share while others wait.
//!
//! An endpoint whose last answer came slower than [`SLOW`] (or never) is slow: a request with
//! an answer budget (a fan-out's first try) is not sent to it at all, and no request waits for
//! one of its slots, so a slow or hanging endpoint's batches are deferred at once rather than
//! holding their handler.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use foldhash::HashMap;

use shared::ports::Attempt;
use tokio::sync::Notify;

/// Endpoints remembered before idle ones (none in flight, limit at its most) are forgotten.
const REMEMBERED: usize = 4096;
/// The limit a new endpoint starts at (at most the most).
pub const START: usize = 8;
/// An answer slower than this marks the endpoint slow.
pub const SLOW: Duration = Duration::from_secs(2);

/// The slots of every endpoint one client talks to.
pub struct Slots {
    most: usize,
    total: usize,
    active: Arc<AtomicUsize>,
    endpoints: Mutex<HashMap<String, Arc<Endpoint>>>,
}

struct Endpoint {
    state: Mutex<State>,
    freed: Notify,
}

struct State {
    in_flight: usize,
    limit: usize,
    slow: bool,
}

/// What a request for a slot got.
pub enum Taken {
    Slot(Slot),
    /// No slot came free in time (or the endpoint is slow and none was free).
    Busy,
    /// The request has an answer budget and the endpoint is slow.
    Slow,
}

/// A taken slot; it frees itself when dropped.
pub struct Slot {
    endpoint: Arc<Endpoint>,
    active: Arc<AtomicUsize>,
    most: usize,
}

impl Slots {
    /// `most` requests per endpoint, shared fairly among endpoints out of `total`.
    pub fn new(most: usize, total: usize) -> Self {
        Self {
            most: most.max(1),
            total: total.max(1),
            active: Arc::default(),
            endpoints: Mutex::new(HashMap::default()),
        }
    }

    /// A slot for `endpoint`, waiting for one to come free until `until` unless the endpoint
    /// is slow. Each freed slot wakes one waiter (a waiter that gives up passes its wake-up
    /// on); an endpoint turning slow wakes them all.
    pub async fn take(&self, endpoint: &str, until: Option<Instant>, budgeted: bool) -> Taken {
        let endpoint = self.endpoint(endpoint);
        loop {
            let freed = endpoint.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            {
                let mut state = endpoint.state.lock().unwrap_or_else(|e| e.into_inner());
                if budgeted && state.slow {
                    return Taken::Slow;
                }
                if state.in_flight < self.allowed(&state) {
                    if state.in_flight == 0 {
                        self.active.fetch_add(1, Ordering::Relaxed);
                    }
                    state.in_flight += 1;
                    return Taken::Slot(Slot {
                        endpoint: endpoint.clone(),
                        active: self.active.clone(),
                        most: self.most,
                    });
                }
                if state.slow {
                    return Taken::Busy;
                }
            }
            match until {
                Some(until) => {
                    if tokio::time::timeout_at(until.into(), freed).await.is_err() {
                        return Taken::Busy;
                    }
                }
                None => freed.await,
            }
        }
    }

    /// How many requests `endpoint` may have in flight now.
    pub fn limit(&self, endpoint: &str) -> usize {
        let endpoint = self.endpoint(endpoint);
        let state = endpoint.state.lock().unwrap_or_else(|e| e.into_inner());
        self.allowed(&state)
    }

    /// The endpoint's limit, within its fair share of the client's requests.
    fn allowed(&self, state: &State) -> usize {
        let others = self.active.load(Ordering::Relaxed);
        let sharing = if state.in_flight == 0 {
            others + 1
        } else {
            others
        };
        state.limit.min((self.total / sharing.max(1)).max(1))
    }

    fn endpoint(&self, name: &str) -> Arc<Endpoint> {
        let mut endpoints = self.endpoints.lock().unwrap_or_else(|e| e.into_inner());
        if endpoints.len() >= REMEMBERED && !endpoints.contains_key(name) {
            endpoints.retain(|_, e| Arc::strong_count(e) > 1 || !e.idle(self.most));
        }
        endpoints
            .entry(name.to_owned())
            .or_insert_with(|| {
                Arc::new(Endpoint {
                    state: Mutex::new(State {
                        in_flight: 0,
                        limit: START.min(self.most),
                        slow: false,
                    }),
                    freed: Notify::new(),
                })
            })
            .clone()
    }
}

impl Endpoint {
    fn idle(&self, most: usize) -> bool {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.in_flight == 0 && state.limit >= START.min(most) && !state.slow
    }
}

impl Slot {
    /// Adjusts the endpoint's limit and health to what came of the attempt made in this slot,
    /// which took `took`.
    pub fn settle(&self, answer: &Attempt, took: Duration) {
        let (failed, slow) = match answer {
            Attempt::Answered { status, .. } => (*status == 429 || *status >= 500, took > SLOW),
            Attempt::NotSent => return,
            Attempt::TimedOut | Attempt::OverBudget => (true, true),
            _ => (true, false),
        };
        let mut state = self
            .endpoint
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        state.limit = match failed {
            true => (state.limit / 2).max(1),
            false => (state.limit + 1).min(self.most),
        };
        let was_slow = state.slow;
        state.slow = slow;
        drop(state);
        if slow && !was_slow {
            self.endpoint.freed.notify_waiters();
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut state = self
            .endpoint
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        state.in_flight -= 1;
        if state.in_flight == 0 {
            self.active.fetch_sub(1, Ordering::Relaxed);
        }
        drop(state);
        self.endpoint.freed.notify_one();
    }
}
