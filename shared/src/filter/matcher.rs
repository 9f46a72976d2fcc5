//! All subscriptions of one topic, indexed for fan-out: an event is checked only against the
//! subscriptions that include its type and those that accept every type, and each distinct key
//! is resolved at most once per event.

use std::collections::HashMap;

use serde_json::Value;

use super::compile::CompiledFilter;
use super::resolve::{EventView, KeyPath, Resolved, resolve};

/// One subscription: its identity, its filter and, per condition, the slot of its key.
#[derive(Debug, Clone)]
struct Entry<K> {
    id: K,
    filter: CompiledFilter,
    slots: Box<[usize]>,
}

/// The compiled filters of a topic's subscriptions, answering which of them an event matches.
#[derive(Debug, Clone)]
pub struct TopicMatcher<K> {
    entries: Vec<Entry<K>>,
    /// Lower-cased event type → positions (ascending) of the entries that include it.
    by_type: HashMap<Box<str>, Vec<usize>>,
    /// Positions (ascending) of the entries that accept every type.
    any_type: Vec<usize>,
    /// Each distinct key of all filters, and whether a string operator uses it.
    keys: Vec<(KeyPath, bool)>,
}

impl<K> TopicMatcher<K> {
    /// Indexes `subscriptions`; [`matching`](Self::matching) answers in this order.
    pub fn new(subscriptions: Vec<(K, CompiledFilter)>) -> Self {
        let mut by_type: HashMap<Box<str>, Vec<usize>> = HashMap::new();
        let mut any_type = Vec::new();
        let mut keys: Vec<(KeyPath, bool)> = Vec::new();
        let mut slot_of: HashMap<KeyPath, usize> = HashMap::new();
        let entries = subscriptions
            .into_iter()
            .enumerate()
            .map(|(position, (id, filter))| {
                match &filter.event_types {
                    None => any_type.push(position),
                    Some(types) => {
                        for t in types.iter() {
                            by_type.entry(t.clone()).or_default().push(position);
                        }
                    }
                }
                let slots = filter
                    .conditions
                    .iter()
                    .map(|c| {
                        let slot = *slot_of.entry(c.key.clone()).or_insert_with(|| {
                            keys.push((c.key.clone(), false));
                            keys.len() - 1
                        });
                        if let Some((_, lowered)) = keys.get_mut(slot) {
                            *lowered |= c.op.wants_lowered();
                        }
                        slot
                    })
                    .collect();
                Entry { id, filter, slots }
            })
            .collect();
        Self {
            entries,
            by_type,
            any_type,
            keys,
        }
    }

    /// How many subscriptions the matcher holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the matcher holds no subscription.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The subscriptions whose filter matches `event`, in the order given to
    /// [`new`](Self::new). Same answer as checking each filter's
    /// [`matches`](CompiledFilter::matches), with less work.
    pub fn matching_refs(&self, event: &Value) -> Vec<&K> {
        let mut view = EventView::new(event);
        let typed: &[usize] = view
            .type_lower
            .as_deref()
            .and_then(|t| self.by_type.get(t))
            .map_or(&[], Vec::as_slice);
        let mut values: Vec<Option<Resolved<'_>>> = std::iter::repeat_with(|| None)
            .take(self.keys.len())
            .collect();
        let mut found = Vec::new();
        for position in merged(typed, &self.any_type) {
            let Some(entry) = self.entries.get(position) else {
                continue;
            };
            if self.accepts(entry, &mut view, &mut values) {
                found.push(&entry.id);
            }
        }
        found
    }

    fn accepts<'e>(
        &self,
        entry: &Entry<K>,
        view: &mut EventView<'e>,
        values: &mut [Option<Resolved<'e>>],
    ) -> bool {
        if !entry.filter.accepts_subject(view) {
            return false;
        }
        let event = view.event;
        entry
            .filter
            .conditions
            .iter()
            .zip(entry.slots.iter())
            .all(|(condition, &slot)| {
                let (Some(cached), Some((key, lowered))) =
                    (values.get_mut(slot), self.keys.get(slot))
                else {
                    return false;
                };
                let value = cached.get_or_insert_with(|| resolve(event, key, *lowered));
                entry.filter.holds(condition, value)
            })
    }
}

impl<K: Clone> TopicMatcher<K> {
    /// The ids of the subscriptions whose filter matches `event`, in the order given to
    /// [`new`](Self::new).
    pub fn matching(&self, event: &Value) -> Vec<K> {
        self.matching_refs(event).into_iter().cloned().collect()
    }
}

/// The union of two ascending position lists, ascending, without duplicates.
fn merged<'a>(a: &'a [usize], b: &'a [usize]) -> impl Iterator<Item = usize> + 'a {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || match (a.get(i), b.get(j)) {
        (Some(&x), Some(&y)) if x == y => {
            i += 1;
            j += 1;
            Some(x)
        }
        (Some(&x), Some(&y)) if x < y => {
            i += 1;
            Some(x)
        }
        (_, Some(&y)) => {
            j += 1;
            Some(y)
        }
        (Some(&x), None) => {
            i += 1;
            Some(x)
        }
        (None, None) => None,
    })
}
