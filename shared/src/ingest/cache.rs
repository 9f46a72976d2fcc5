//! A small cache for the hot paths. An entry is served only while it is younger than the
//! cache's time to live and was loaded under at least the generation the caller needs (see
//! `usecases::support::generations`), so no read-your-writes guarantee rests on the time to live. Time
//! comes in as `now`, so staleness is a rule that tests can drive.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

use time::{Duration, OffsetDateTime};

struct Entry<V> {
    loaded_at: OffsetDateTime,
    generation: u64,
    value: V,
}

/// Holds at most `capacity` entries; when full, it starts over (a cache miss only costs a
/// table read).
pub struct GenerationCache<K, V> {
    entries: Mutex<HashMap<K, Entry<V>>>,
    ttl: Duration,
    capacity: usize,
}

impl<K: Eq + Hash, V: Clone> GenerationCache<K, V> {
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            ttl,
            capacity,
        }
    }

    /// The value stored under `key` less than the time to live before `now`, loaded under
    /// `generation` or a later one.
    pub fn get(&self, key: &K, now: OffsetDateTime, generation: u64) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|e| now - e.loaded_at < self.ttl && e.generation >= generation)
            .map(|e| e.value.clone())
    }

    /// The generation of the entry under `key`, fresh or not (0 if none). A value read from
    /// the store after this call is at least that new.
    pub fn generation(&self, key: &K) -> u64 {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.get(key).map_or(0, |e| e.generation)
    }

    /// Stores `value`, read from the store after `generation` was read (so it is at least that
    /// new). A fresh entry of a later generation is kept instead.
    pub fn put(&self, key: K, value: V, now: OffsetDateTime, generation: u64) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = entries.get(&key)
            && e.generation > generation
            && now - e.loaded_at < self.ttl
        {
            return;
        }
        if entries.len() >= self.capacity {
            entries.clear();
        }
        entries.insert(
            key,
            Entry {
                loaded_at: now,
                generation,
                value,
            },
        );
    }

    pub fn remove(&self, key: &K) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.remove(key);
    }
}
