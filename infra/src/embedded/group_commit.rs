//! Group commit for the embedded queue's sends and acks: writes that arrive while a commit is
//! being made wait for the next one, and share it (one write transaction, one fsync), so
//! concurrent publishes and acks cost about as many commits as the disk makes meanwhile, not one
//! each. A write is answered only after the commit holding it; a send's messages are all in that
//! commit or none of them are. One committer task runs while writes wait, apart from any
//! request, so a request that goes away cannot stall the others.

use std::sync::{Arc, Mutex, PoisonError};

use redb::Database;
use shared::error::{Error, Result};
use tokio::sync::{Notify, oneshot};

use super::blocking;

/// One write: the messages of a send, all visible at `visible` (Unix milliseconds), or the
/// keys of messages acknowledged.
pub(super) enum Write {
    Send { visible: u64, bodies: Vec<String> },
    Ack(Vec<(u64, u64)>),
}

struct Waiting {
    write: Write,
    answer: oneshot::Sender<Result<()>>,
}

#[derive(Default)]
struct State {
    waiting: Vec<Waiting>,
    committing: bool,
}

/// Makes writes in groups with `commit`, telling `sent` after each that sent messages.
#[derive(Clone)]
pub(super) struct GroupCommit {
    state: Arc<Mutex<State>>,
    db: Arc<Database>,
    sent: Arc<Notify>,
    commit: fn(&Database, &[Write]) -> Result<()>,
}

impl GroupCommit {
    pub(super) fn new(
        db: Arc<Database>,
        sent: Arc<Notify>,
        commit: fn(&Database, &[Write]) -> Result<()>,
    ) -> Self {
        Self {
            state: Arc::default(),
            db,
            sent,
            commit,
        }
    }

    /// Waits until `write` is durably made, with whatever other writes came meanwhile.
    pub(super) async fn write(&self, write: Write) -> Result<()> {
        let (answer, answered) = oneshot::channel();
        let start = {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            state.waiting.push(Waiting { write, answer });
            !std::mem::replace(&mut state.committing, true)
        };
        if start {
            tokio::spawn(self.clone().commit_while_waiting());
        }
        answered
            .await
            .unwrap_or_else(|_| Err(Error::internal("embedded queue: the committer stopped")))
    }

    /// Commits what is waiting until nothing is. The last group's writers are answered after
    /// this committer lets go of the database, so one whose write returned may close and reopen
    /// it at once.
    async fn commit_while_waiting(self) {
        let mut group = self.take();
        loop {
            let (writes, answers): (Vec<Write>, Vec<_>) =
                group.into_iter().map(|w| (w.write, w.answer)).unzip();
            let sent = writes.iter().any(|w| matches!(w, Write::Send { .. }));
            let commit = self.commit;
            let result = blocking("embedded queue", &self.db, move |db| commit(db, &writes)).await;
            if sent && result.is_ok() {
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

    /// The writes waiting; when there are none, this committer is done (a write arriving next
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
