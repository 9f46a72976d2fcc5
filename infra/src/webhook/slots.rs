//! Per-endpoint slots: at most so many requests in flight to one endpoint (scheme, host and
//! port) at once. The limit halves on each failed attempt (no answer, 429, 5xx) and grows by
//! one on each answered one, between 1 and the most, so a failing or slow endpoint gets fewer
//! attempts at once and can take only its share of the client's requests.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use foldhash::HashMap;

use shared::ports::Attempt;
use tokio::sync::Notify;

/// Endpoints remembered before idle ones (none in flight, limit at its most) are forgotten.
const REMEMBERED: usize = 4096;

/// The slots of every endpoint one client talks to.
pub struct Slots {
    most: usize,
    endpoints: Mutex<HashMap<String, Arc<Endpoint>>>,
}

struct Endpoint {
    state: Mutex<State>,
    freed: Notify,
}

struct State {
    in_flight: usize,
    limit: usize,
}

/// A taken slot; it frees itself when dropped.
pub struct Slot {
    endpoint: Arc<Endpoint>,
    most: usize,
}

impl Slots {
    pub fn new(most: usize) -> Self {
        Self {
            most: most.max(1),
            endpoints: Mutex::new(HashMap::default()),
        }
    }

    /// A slot for `endpoint`, waiting for one to come free until `until`; `None` if none did.
    /// Each freed slot wakes one waiter (a waiter that gives up passes its wake-up on).
    pub async fn take(&self, endpoint: &str, until: Option<Instant>) -> Option<Slot> {
        let endpoint = self.endpoint(endpoint);
        loop {
            let freed = endpoint.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            {
                let mut state = endpoint.state.lock().unwrap_or_else(|e| e.into_inner());
                if state.in_flight < state.limit {
                    state.in_flight += 1;
                    return Some(Slot {
                        endpoint: endpoint.clone(),
                        most: self.most,
                    });
                }
            }
            match until {
                Some(until) => {
                    tokio::time::timeout_at(until.into(), freed).await.ok()?;
                }
                None => freed.await,
            }
        }
    }

    /// How many requests `endpoint` may have in flight now.
    pub fn limit(&self, endpoint: &str) -> usize {
        let endpoint = self.endpoint(endpoint);
        let state = endpoint.state.lock().unwrap_or_else(|e| e.into_inner());
        state.limit
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
                        limit: self.most,
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
        state.in_flight == 0 && state.limit == most
    }
}

impl Slot {
    /// Adjusts the endpoint's limit to what came of the attempt made in this slot.
    pub fn settle(&self, answer: &Attempt) {
        let failed = match answer {
            Attempt::Answered { status, .. } => *status == 429 || *status >= 500,
            Attempt::NotSent => return,
            _ => true,
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
        drop(state);
        self.endpoint.freed.notify_one();
    }
}
