//! Batching a subscription's matched events: at most `maxEventsPerBatch` events and, best
//! effort, about `preferredBatchSizeInKilobytes` per request. Never waits to fill a batch.

use std::ops::Range;

/// Splits events of the given sizes (bytes) into consecutive batches: each holds at most
/// `max_events` events and stays within `preferred_bytes` unless a single event is larger
/// (it then goes alone).
pub fn batches(sizes: &[usize], max_events: usize, preferred_bytes: usize) -> Vec<Range<usize>> {
    let max_events = max_events.max(1);
    let mut out = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, size) in sizes.iter().enumerate() {
        let count = i - start;
        let full = count >= max_events || (count > 0 && bytes + size + 1 > preferred_bytes);
        if full {
            out.push(start..i);
            start = i;
            bytes = 0;
        }
        bytes += size + 1;
    }
    if start < sizes.len() {
        out.push(start..sizes.len());
    }
    out
}
