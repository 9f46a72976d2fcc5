//! Changing one stored item: read it, decide what to write, write on condition that nothing
//! else wrote in between, and read and decide again when something did.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result, code};
use crate::ports::{Expect, Key, Ports, Write};
use crate::table::{self, Versioned};

/// What a change decides about the item it read.
#[derive(Debug)]
pub enum Change<R> {
    /// Make these writes in one atomic batch (the item's own put among them, expecting the
    /// version read), then answer `R`.
    Write(Vec<Write>, R),
    /// Write nothing and answer `R`.
    Keep(R),
}

impl<T: Serialize> Change<T> {
    /// Puts `value` at `key` on condition of `expect`, and answers it.
    pub fn put(key: Key, value: T, expect: Expect) -> Result<Self> {
        Ok(Change::Write(vec![table::put(key, &value, expect)?], value))
    }
}

/// Reads the item at `key` (`None` when there is none), lets `change` decide, and makes the
/// writes it decides. When another writer got there first (the store's 409
/// `ConcurrentUpdate`), reads and decides again, `tries` times in all, then answers that 409.
/// An error of `change` or of the store is answered as it is.
pub async fn update<T: DeserializeOwned, R>(
    ports: &Ports,
    key: &Key,
    tries: usize,
    mut change: impl FnMut(Option<Versioned<T>>) -> Result<Change<R>>,
) -> Result<R> {
    let mut lost = Error::conflict(code::CONCURRENT_UPDATE, "the item kept changing; retry");
    for _ in 0..tries {
        let found = table::get::<T>(ports.store.as_ref(), key).await?;
        let (writes, answer) = match change(found)? {
            Change::Keep(answer) => return Ok(answer),
            Change::Write(writes, answer) => (writes, answer),
        };
        match ports.store.write(writes).await {
            Ok(()) => return Ok(answer),
            Err(e) if e.is_conflict() => lost = e,
            Err(e) => return Err(e),
        }
    }
    Err(lost)
}
