//! How one send is cut into SendMessageBatch calls, and durations into SQS's whole seconds.

use std::ops::Range;
use std::time::Duration;

/// The most entries of one SendMessageBatch or DeleteMessageBatch.
pub(super) const BATCH_ENTRIES: usize = 10;
/// The most bytes of bodies one SendMessageBatch carries.
const BATCH_BYTES: usize = 256 * 1024;

/// `bodies` in send order, cut into batches of at most [`BATCH_ENTRIES`] entries and
/// [`BATCH_BYTES`] of bodies (each body being at most that).
pub(super) fn split(bodies: Vec<String>) -> Vec<Vec<String>> {
    let ranges = batch_ranges(&bodies.iter().map(String::len).collect::<Vec<_>>());
    let mut bodies = bodies.into_iter();
    ranges
        .into_iter()
        .map(|r| bodies.by_ref().take(r.len()).collect())
        .collect()
}

fn batch_ranges(sizes: &[usize]) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, &size) in sizes.iter().enumerate() {
        if i > start && (i - start == BATCH_ENTRIES || bytes + size > BATCH_BYTES) {
            ranges.push(start..i);
            (start, bytes) = (i, 0);
        }
        bytes += size;
    }
    if start < sizes.len() {
        ranges.push(start..sizes.len());
    }
    ranges
}

/// `d` in whole seconds, rounded up and capped at `max`.
pub(super) fn whole_seconds_up(d: Duration, max: u64) -> i32 {
    let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    i32::try_from(secs.min(max)).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::single_range_in_vec_init)]
    fn batches_hold_at_most_ten_entries_and_256_kib_in_send_order() {
        let kib = 1024;
        let cases: &[(&[usize], &[Range<usize>])] = &[
            (&[], &[]),
            (&[1; 10], &[0..10]),
            (&[1; 25], &[0..10, 10..20, 20..25]),
            (&[100 * kib, 100 * kib, 56 * kib, 1], &[0..3, 3..4]),
            (&[256 * kib, 256 * kib, 0], &[0..1, 1..3]),
            (&[200 * kib, 57 * kib, 3], &[0..1, 1..3]),
        ];
        for (sizes, want) in cases {
            assert_eq!(batch_ranges(sizes), *want, "{sizes:?}");
        }
    }

    #[test]
    fn split_keeps_every_body_once_in_order() {
        let bodies: Vec<String> = (0..25)
            .map(|i| format!("{i}{}", "x".repeat(30_000)))
            .collect();
        let batches = split(bodies.clone());
        assert!(
            batches.iter().all(|b| b.len() <= BATCH_ENTRIES
                && b.iter().map(String::len).sum::<usize>() <= BATCH_BYTES)
        );
        assert_eq!(batches.concat(), bodies);
    }

    #[test]
    fn durations_round_up_to_whole_seconds_within_the_cap() {
        assert_eq!(whole_seconds_up(Duration::ZERO, 900), 0);
        assert_eq!(whole_seconds_up(Duration::from_millis(1), 900), 1);
        assert_eq!(whole_seconds_up(Duration::from_millis(1500), 900), 2);
        assert_eq!(whole_seconds_up(Duration::from_secs(2), 900), 2);
        assert_eq!(whole_seconds_up(Duration::from_secs(10_000), 900), 900);
    }
}
