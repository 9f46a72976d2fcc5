//! Group commit for the embedded queue's sends: sends that arrive while a commit is being made
//! wait for the next one, and share it (one write transaction, one fsync), so concurrent
//! publishes cost about as many commits as the disk makes meanwhile, not one each. A send is
//! answered only after the commit holding its messages; its messages are all in that commit or
//! none of them are. One committer task runs while sends wait, apart from any request, so a
//! request that goes away cannot stall the others.

use std::sync::{Arc, Mutex, PoisonError};

use redb::Database;
use shared::error::{Error, Result};
use tokio::sync::{Notify, oneshot};

use super::blocking;

/// The messages of one send, all visible at `visible` (Unix milliseconds).
pub(super) struct Send {
    pub visible: u64,
    pub bodies: Vec<String>,
}

struct Waiting {
    send: Send,
    answer: oneshot::Sender<Result<()>>,
}

#[derive(Default)]
struct State {
    waiting: Vec<Waiting>,
    committing: bool,
}

/// Writes sends in groups with `commit`, telling `sent` after each.
#[derive(Clone)]
pub(super) struct GroupCommit {
    state: Arc<Mutex<State>>,
    db: Arc<Database>,
    sent: Arc<Notify>,
    commit: fn(&Database, &[Send]) -> Result<()>,
}

impl GroupCommit {
    pub(super) fn new(
        db: Arc<Database>,
        sent: Arc<Notify>,
        commit: fn(&Database, &[Send]) -> Result<()>,
    ) -> Self {
        Self {
            state: Arc::default(),
            db,
            sent,
            commit,
        }
    }

    /// Waits until `send` is durably written, with whatever other sends came meanwhile.
    pub(super) async fn send(&self, send: Send) -> Result<()> {
        let (answer, answered) = oneshot::channel();
        let start = {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            state.waiting.push(Waiting { send, answer });
            !std::mem::replace(&mut state.committing, true)
        };
        if start {
            tokio::spawn(self.clone().commit_while_waiting());
        }
        answered
            .await
            .unwrap_or_else(|_| Err(Error::internal("embedded queue: the committer stopped")))
    }

    /// Commits what is waiting until nothing is. The last group's senders are answered after
    /// this committer lets go of the database, so one whose send returned may close and reopen
    /// it at once.
    async fn commit_while_waiting(self) {
        let mut group = self.take();
        loop {
            let (sends, answers): (Vec<Send>, Vec<_>) =
                group.into_iter().map(|w| (w.send, w.answer)).unzip();
            let commit = self.commit;
            let result = blocking("embedded queue", &self.db, move |db| commit(db, &sends)).await;
            if result.is_ok() {
                self.sent.notify_waiters();
            }
            group = self.take();
            if group.is_empty() {
                drop(self);
                answer(answers, &result);
                return;
            }
            answer(answers, &result);
        }
    }

    /// The sends waiting; when there are none, this committer is done (a send arriving next
    /// starts another).
    fn take(&self) -> Vec<Waiting> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.waiting.is_empty() {
            state.committing = false;
        }
        std::mem::take(&mut state.waiting)
    }
}

fn answer(answers: Vec<oneshot::Sender<Result<()>>>, result: &Result<()>) {
    for answer in answers {
        let _ = answer.send(result.clone());
    }
}
