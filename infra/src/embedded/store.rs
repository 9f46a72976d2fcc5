//! `EmbeddedStore`: the `Store` port on redb, one file in the data directory. Every write
//! batch is one redb transaction committed durably before the call returns.

use std::ops::Bound;
use std::path::Path;
use std::sync::Arc;

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use shared::error::{Error, Result, code};
use shared::ports::{Expect, Item, Key, Page, Store, Tally, Write, check_batch};

use super::blocking;

const ITEMS: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("items");
const FILE_NAME: &str = "store.redb";

/// The store in `<data dir>/store.redb`.
#[derive(Clone)]
pub struct EmbeddedStore {
    db: Arc<Database>,
}

impl EmbeddedStore {
    /// Opens (or creates) the store in `dir`, creating the directory if needed. Fails if
    /// another process holds the same data directory.
    pub fn open(dir: &Path) -> Result<Self> {
        let path = super::private_file(dir, FILE_NAME)?;
        let db = Database::create(path)
            .map_err(|e| Error::internal(format!("opening {FILE_NAME} in {dir:?}: {e}")))?;
        let txn = db.begin_write().map_err(internal)?;
        txn.open_table(ITEMS).map_err(internal)?;
        txn.commit().map_err(internal)?;
        Ok(Self { db: Arc::new(db) })
    }
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::internal(format!("embedded store: {e}"))
}

struct Stored {
    version: u64,
    expires_at: Option<i64>,
    body: String,
    tally: Tally,
}

/// The flag byte's bits: an expiry follows; a tally (length-prefixed JSON) precedes the body.
const HAS_EXPIRY: u8 = 1;
const HAS_TALLY: u8 = 2;

impl Stored {
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(17 + self.body.len());
        out.extend_from_slice(&self.version.to_le_bytes());
        let tally = (!self.tally.is_empty()).then(|| {
            serde_json::json!({"c": self.tally.counts, "n": self.tally.notes}).to_string()
        });
        let flags = match self.expires_at {
            Some(_) => HAS_EXPIRY,
            None => 0,
        } | if tally.is_some() { HAS_TALLY } else { 0 };
        out.push(flags);
        out.extend_from_slice(&self.expires_at.unwrap_or(0).to_le_bytes());
        if let Some(tally) = tally {
            out.extend_from_slice(&(tally.len() as u32).to_le_bytes());
            out.extend_from_slice(tally.as_bytes());
        }
        out.extend_from_slice(self.body.as_bytes());
        out
    }

    fn decode(raw: &[u8]) -> Result<Self> {
        let corrupt = || Error::internal("embedded store: corrupt item");
        let bytes = |range: std::ops::Range<usize>| raw.get(range).ok_or_else(corrupt);
        let version = u64::from_le_bytes(bytes(0..8)?.try_into().map_err(|_| corrupt())?);
        let flags = bytes(8..9)?[0];
        let expires = i64::from_le_bytes(bytes(9..17)?.try_into().map_err(|_| corrupt())?);
        let mut rest = 17;
        let mut tally = Tally::default();
        if flags & HAS_TALLY != 0 {
            let len = u32::from_le_bytes(bytes(17..21)?.try_into().map_err(|_| corrupt())?);
            let end = 21 + len as usize;
            let json: serde_json::Value =
                serde_json::from_slice(bytes(21..end)?).map_err(|_| corrupt())?;
            tally.counts = serde_json::from_value(json["c"].clone()).map_err(|_| corrupt())?;
            tally.notes = serde_json::from_value(json["n"].clone()).map_err(|_| corrupt())?;
            rest = end;
        }
        let body = std::str::from_utf8(bytes(rest..raw.len())?).map_err(|_| corrupt())?;
        Ok(Self {
            version,
            expires_at: (flags & HAS_EXPIRY != 0).then_some(expires),
            body: body.to_owned(),
            tally,
        })
    }

    fn into_item(self, key: Key) -> Item {
        Item {
            key,
            version: self.version,
            body: self.body,
            expires_at: self.expires_at,
            tally: self.tally,
        }
    }
}

fn holds(expect: Expect, current: Option<u64>) -> bool {
    match (expect, current) {
        (Expect::Any, _) => true,
        (Expect::Absent, None) => true,
        (Expect::Version(v), Some(c)) => v == c,
        (Expect::Exists, Some(_)) => true,
        _ => false,
    }
}

fn conflict(key: &Key) -> Error {
    Error::conflict(
        code::CONCURRENT_UPDATE,
        format!(
            "the item {}/{} changed or exists; read it again and retry",
            key.partition, key.sort
        ),
    )
}

#[async_trait::async_trait]
impl Store for EmbeddedStore {
    /// Read on the calling task, not the blocking pool: a read transaction never waits for a
    /// writer, and one item of a hot page takes microseconds, less than the hop to another
    /// thread (every publish reads its endpoint's generation).
    async fn get(&self, key: &Key) -> Result<Option<Item>> {
        let txn = self.db.begin_read().map_err(internal)?;
        let table = txn.open_table(ITEMS).map_err(internal)?;
        let found = table
            .get((key.partition.as_str(), key.sort.as_str()))
            .map_err(internal)?;
        match found {
            Some(raw) => Ok(Some(Stored::decode(raw.value())?.into_item(key.clone()))),
            None => Ok(None),
        }
    }

    async fn write(&self, writes: Vec<Write>) -> Result<()> {
        if writes.is_empty() {
            return Ok(());
        }
        check_batch(&writes)?;
        blocking("embedded store", &self.db, move |db| {
            let txn = db.begin_write().map_err(internal)?;
            {
                let mut table = txn.open_table(ITEMS).map_err(internal)?;
                for write in &writes {
                    let key = write.key();
                    let k = (key.partition.as_str(), key.sort.as_str());
                    let current = match table.get(k).map_err(internal)? {
                        Some(raw) => Some(Stored::decode(raw.value())?),
                        None => None,
                    };
                    if !holds(write.expect(), current.as_ref().map(|c| c.version)) {
                        return Err(conflict(key));
                    }
                    let stored = match (write, current) {
                        (
                            Write::Put {
                                body, expires_at, ..
                            },
                            current,
                        ) => Stored {
                            version: current.as_ref().map_or(0, |c| c.version) + 1,
                            expires_at: *expires_at,
                            body: body.clone(),
                            tally: current.map(|c| c.tally).unwrap_or_default(),
                        },
                        (Write::Add { counts, notes, .. }, Some(mut current)) => {
                            for (name, n) in counts {
                                let count = current.tally.counts.entry(name.clone()).or_default();
                                *count = count.saturating_add(*n);
                            }
                            for (name, value) in notes {
                                current.tally.notes.insert(name.clone(), value.clone());
                            }
                            current
                        }
                        (Write::Delete { .. }, _) => {
                            table.remove(k).map_err(internal)?;
                            continue;
                        }
                        _ => continue,
                    };
                    table
                        .insert(k, stored.encode().as_slice())
                        .map_err(internal)?;
                }
            }
            txn.commit().map_err(internal)
        })
        .await
    }

    async fn query(
        &self,
        partition: &str,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page> {
        let limit = limit.clamp(1, 1000);
        let (partition, prefix) = (partition.to_owned(), prefix.to_owned());
        let after = after.map(str::to_owned);
        blocking("embedded store", &self.db, move |db| {
            let txn = db.begin_read().map_err(internal)?;
            let table = txn.open_table(ITEMS).map_err(internal)?;
            let start = match after.as_deref() {
                Some(a) if a >= prefix.as_str() => Bound::Excluded((partition.as_str(), a)),
                _ => Bound::Included((partition.as_str(), prefix.as_str())),
            };
            let mut page = Page::default();
            for entry in table.range((start, Bound::Unbounded)).map_err(internal)? {
                let (k, v) = entry.map_err(internal)?;
                let (p, s) = k.value();
                if p != partition || !s.starts_with(prefix.as_str()) {
                    break;
                }
                if page.items.len() == limit {
                    page.next = page.items.last().map(|i| i.key.sort.clone());
                    break;
                }
                let key = Key::new(p, s);
                page.items.push(Stored::decode(v.value())?.into_item(key));
            }
            Ok(page)
        })
        .await
    }
}
