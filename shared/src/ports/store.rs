//! The `Store` port: one key-value table of versioned items, addressed by a partition key and a
//! sort key, with conditional, all-or-nothing writes and ordered prefix queries, and counters
//! an item keeps beside its body that writers only add to (no read before the write).

use std::collections::BTreeMap;

use crate::error::Result;

/// Where an item lives: a partition (a tenant scope) and a sort key within it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub partition: String,
    pub sort: String,
}

impl Key {
    pub fn new(partition: impl Into<String>, sort: impl Into<String>) -> Self {
        Self {
            partition: partition.into(),
            sort: sort.into(),
        }
    }
}

/// A stored item. `version` starts at 1 and grows by one with every put.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub key: Key,
    pub version: u64,
    pub body: String,
    /// Unix seconds after which the item may be removed by the store (DynamoDB TTL). Stores
    /// remove lazily, so readers that care filter on it.
    pub expires_at: Option<i64>,
    /// What [`Write::Add`] wrote; a put keeps it.
    pub tally: Tally,
}

/// Counters and notes an item keeps beside its body: counters only grow by what is added,
/// notes hold the last value written. Names are ASCII letters and digits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Counters by name.
    pub counts: BTreeMap<String, u64>,
    /// Notes by name.
    pub notes: BTreeMap<String, String>,
}

impl Tally {
    /// True when nothing was ever added.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty() && self.notes.is_empty()
    }
}

/// The condition a write needs to hold at the moment it is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// No item at the key.
    Absent,
    /// An item at the key with exactly this version.
    Version(u64),
    /// An item at the key, whatever its version.
    Exists,
    /// No condition.
    Any,
}

/// One write of an all-or-nothing batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write {
    /// Stores `body` at `key`, with version = previous version + 1 (or 1).
    Put {
        key: Key,
        body: String,
        expires_at: Option<i64>,
        expect: Expect,
    },
    /// Removes the item at `key`. Deleting an absent key with `Expect::Any` succeeds.
    Delete { key: Key, expect: Expect },
    /// Changes nothing; only its condition must hold.
    Check { key: Key, expect: Expect },
    /// Adds `counts` to the item's counters (a counter starts at 0) and sets its `notes`, in
    /// one atomic step without reading it first; body and version stay as they are. The item
    /// must exist (as if `Expect::Exists`).
    Add {
        key: Key,
        counts: Vec<(String, u64)>,
        notes: Vec<(String, String)>,
    },
}

impl Write {
    pub fn key(&self) -> &Key {
        match self {
            Write::Put { key, .. }
            | Write::Delete { key, .. }
            | Write::Check { key, .. }
            | Write::Add { key, .. } => key,
        }
    }

    /// What must hold of the item at [`Write::key`] for the write to apply.
    pub fn expect(&self) -> Expect {
        match self {
            Write::Put { expect, .. }
            | Write::Delete { expect, .. }
            | Write::Check { expect, .. } => *expect,
            Write::Add { .. } => Expect::Exists,
        }
    }
}

/// True when `name` may name a counter or a note.
pub fn is_tally_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 64 && name.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// One page of a query: items in ascending sort-key order, and the cursor for the next page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Page {
    pub items: Vec<Item>,
    /// The sort key to pass as `after` for the next page; `None` exactly when nothing follows.
    pub next: Option<String>,
}

/// The most writes one `write` call may carry (DynamoDB's TransactWriteItems limit).
pub const MAX_WRITES: usize = 100;

/// Checks what every adapter requires of a batch: at most [`MAX_WRITES`] writes, each on a
/// different key. A violation is a bug in the caller, so it is `Internal`.
pub fn check_batch(writes: &[Write]) -> Result<()> {
    if writes.len() > MAX_WRITES {
        return Err(crate::error::Error::internal(format!(
            "a write batch holds at most {MAX_WRITES} writes, got {}",
            writes.len()
        )));
    }
    for write in writes {
        if let Write::Add { counts, notes, .. } = write
            && let Some(name) = counts
                .iter()
                .map(|(n, _)| n)
                .chain(notes.iter().map(|(n, _)| n))
                .find(|n| !is_tally_name(n))
        {
            return Err(crate::error::Error::internal(format!(
                "'{name}' cannot name a counter or a note (ASCII letters and digits)"
            )));
        }
    }
    let mut keys: Vec<&Key> = writes.iter().map(Write::key).collect();
    keys.sort();
    if let Some(pair) = keys.windows(2).find(|pair| pair[0] == pair[1]) {
        return Err(crate::error::Error::internal(format!(
            "a write batch names {}/{} twice",
            pair[0].partition, pair[0].sort
        )));
    }
    Ok(())
}

/// The key-value table every function shares.
#[async_trait::async_trait]
pub trait Store: Send + Sync {
    /// The item at `key`, or `None`. Strongly consistent: a completed write is visible.
    async fn get(&self, key: &Key) -> Result<Option<Item>>;

    /// Applies every write or none, atomically. At most [`MAX_WRITES`] writes, on distinct
    /// keys (see [`check_batch`]; a batch that breaks it fails as `Internal`, changing
    /// nothing). If any write's expectation does not hold, nothing changes and the call fails
    /// with `ErrorKind::Conflict` (code `ConcurrentUpdate`). Outages are `Transient`.
    async fn write(&self, writes: Vec<Write>) -> Result<()>;

    /// Items of `partition` whose sort key starts with `prefix`, in ascending sort-key order,
    /// starting after the sort key `after` (exclusive), at most `limit` (1..=1000) of them.
    async fn query(
        &self,
        partition: &str,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page>;

    /// Stores one item; see [`Write::Put`].
    async fn put(&self, key: Key, body: String, expect: Expect) -> Result<()> {
        self.write(vec![Write::Put {
            key,
            body,
            expires_at: None,
            expect,
        }])
        .await
    }

    /// Removes one item; see [`Write::Delete`].
    async fn delete(&self, key: Key, expect: Expect) -> Result<()> {
        self.write(vec![Write::Delete { key, expect }]).await
    }
}
