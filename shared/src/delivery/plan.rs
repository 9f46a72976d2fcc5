//! The fan-out's plan for one message: which subscriptions of the topic get which of its
//! events, cut into batches each subscription's destination takes. A subscription that is
//! disabled gets nothing; what already settled for a subscription (a message handled again) is
//! left out; an event that is not readable JSON goes to every enabled subscription as a batch
//! to dead-letter without an attempt.

use std::collections::BTreeSet;
use std::sync::Arc;

use foldhash::HashMap;
use time::OffsetDateTime;

use super::outcome::reason;
use super::{EventJson, TaskHead, batch};
use crate::error::Error;
use crate::filter::{CompiledFilter, TopicMatcher};
use crate::ids::ResourceId;
use crate::subscriptions::{Destination, EventSubscription};

/// What settled of a message, per subscription id: event indexes within the message.
pub type Settled = HashMap<String, BTreeSet<u32>>;

/// One topic's subscriptions, indexed for matching.
pub struct Subscribers {
    pub all: Vec<Arc<EventSubscription>>,
    pub matcher: TopicMatcher<usize>,
}

impl Subscribers {
    /// Indexes `all`; a subscription whose stored filter does not compile matches nothing
    /// and is returned with the error.
    pub fn compile(all: Vec<Arc<EventSubscription>>) -> (Self, Vec<(ResourceId, Error)>) {
        let mut compiled = Vec::with_capacity(all.len());
        let mut failed = Vec::new();
        for (i, s) in all.iter().enumerate() {
            match CompiledFilter::compile(&s.filter) {
                Ok(filter) => compiled.push((i, filter)),
                Err(e) => failed.push((s.id.clone(), e)),
            }
        }
        let matcher = TopicMatcher::new(compiled);
        (Self { all, matcher }, failed)
    }

    pub fn find(&self, id: &ResourceId) -> Option<Arc<EventSubscription>> {
        self.all.iter().find(|s| s.id == *id).cloned()
    }
}

/// A batch of events bound for one subscription.
#[derive(Debug, Clone)]
pub struct Batch {
    pub subscription: Arc<EventSubscription>,
    pub events: Vec<EventJson>,
    pub head: TaskHead,
    /// Set when the batch is to be dead-lettered without an attempt, and why.
    pub doomed: Option<&'static str>,
    /// The events' places in their fan-out message (none for a delivery task).
    pub indexes: Vec<u32>,
    /// The events' ids, when the fan-out read them (none for a delivery task: read when
    /// needed).
    pub ids: Vec<Arc<str>>,
    /// The fan-out's own try: its answer has a short budget, then the batch goes on to the
    /// delivery queue (false for a delivery task).
    pub first_try: bool,
}

impl Batch {
    /// A batch with no place in a fan-out message: a delivery task's.
    pub fn of_task(
        subscription: Arc<EventSubscription>,
        head: TaskHead,
        events: Vec<EventJson>,
    ) -> Self {
        Self {
            subscription,
            events,
            head,
            doomed: None,
            indexes: Vec::new(),
            ids: Vec::new(),
            first_try: false,
        }
    }

    /// The events at `positions` of this batch, with the same head.
    pub fn part(&self, positions: &[usize]) -> Self {
        Self {
            subscription: self.subscription.clone(),
            events: positions.iter().map(|p| self.events[*p].clone()).collect(),
            head: self.head.clone(),
            doomed: None,
            indexes: Vec::new(),
            ids: positions
                .iter()
                .filter_map(|p| self.ids.get(*p).cloned())
                .collect(),
            first_try: self.first_try,
        }
    }
}

/// The batches of one fan-out message, and how many of its events were unreadable.
pub struct Plan {
    pub batches: Vec<Batch>,
    pub unreadable: usize,
}

/// The message's events as read: per subscriber (by position) the indexes of the events it
/// matched, the indexes of unreadable events, and each event's id ("" when unreadable).
struct Read {
    matched: Vec<Vec<usize>>,
    unreadable: Vec<usize>,
    ids: Vec<Arc<str>>,
}

/// The batches of `events` (published at `published_at`) for each matching, enabled
/// subscriber, leaving out what already `settled` for it.
pub fn plan(
    subscribers: &Subscribers,
    published_at: OffsetDateTime,
    events: &[EventJson],
    settled: &Settled,
) -> Plan {
    if subscribers.all.is_empty() {
        return Plan {
            batches: Vec::new(),
            unreadable: 0,
        };
    }
    let Read {
        matched,
        unreadable,
        ids,
    } = read(subscribers, events);
    let mut batches = Vec::new();
    for (subscription, mut indexes) in subscribers.all.iter().zip(matched) {
        if subscription.disabled_at.is_some() {
            continue;
        }
        let name = subscription.id.to_string();
        let mut unreadable = unreadable.clone();
        if let Some(done) = settled.get(&name) {
            indexes.retain(|i| !done.contains(&(*i as u32)));
            unreadable.retain(|i| !done.contains(&(*i as u32)));
        }
        let chosen = Chosen {
            subscription,
            head: TaskHead::first(name, published_at),
            events,
            ids: &ids,
        };
        batches.extend(chosen.unreadable(&unreadable));
        batches.extend(chosen.batches(&indexes));
    }
    Plan {
        batches,
        unreadable: unreadable.len(),
    }
}

fn read(subscribers: &Subscribers, events: &[EventJson]) -> Read {
    let mut read = Read {
        matched: vec![Vec::new(); subscribers.all.len()],
        unreadable: Vec::new(),
        ids: Vec::with_capacity(events.len()),
    };
    for (i, json) in events.iter().enumerate() {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(json) else {
            read.unreadable.push(i);
            read.ids.push(Arc::from(""));
            continue;
        };
        read.ids
            .push(Arc::from(value["id"].as_str().unwrap_or_default()));
        for s in subscribers.matcher.matching_refs(&value) {
            if let Some(list) = read.matched.get_mut(*s) {
                list.push(i);
            }
        }
    }
    read
}

/// One subscriber's share of a message.
struct Chosen<'a> {
    subscription: &'a Arc<EventSubscription>,
    head: TaskHead,
    events: &'a [EventJson],
    ids: &'a [Arc<str>],
}

impl Chosen<'_> {
    /// The unreadable events at `indexes`, as one batch to dead-letter.
    fn unreadable(&self, indexes: &[usize]) -> Option<Batch> {
        (!indexes.is_empty()).then(|| Batch {
            subscription: self.subscription.clone(),
            events: indexes.iter().map(|i| self.events[*i].clone()).collect(),
            head: self.head.clone(),
            doomed: Some(reason::UNREADABLE_EVENT),
            indexes: indexes.iter().map(|i| *i as u32).collect(),
            ids: Vec::new(),
            first_try: true,
        })
    }

    /// The matched events at `indexes`, cut into the batches the destination takes.
    fn batches(&self, indexes: &[usize]) -> Vec<Batch> {
        if indexes.is_empty() {
            return Vec::new();
        }
        let (max, preferred) = batch_limits(&self.subscription.destination);
        let sizes: Vec<usize> = indexes.iter().map(|i| self.events[*i].len()).collect();
        batch::batches(&sizes, max, preferred)
            .into_iter()
            .map(|range| {
                let indexes = &indexes[range];
                Batch {
                    subscription: self.subscription.clone(),
                    events: indexes.iter().map(|i| self.events[*i].clone()).collect(),
                    head: self.head.clone(),
                    doomed: None,
                    ids: indexes.iter().map(|i| self.ids[*i].clone()).collect(),
                    indexes: indexes.iter().map(|i| *i as u32).collect(),
                    first_try: true,
                }
            })
            .collect()
    }
}

/// The most events a batch for `destination` holds, and the bytes it should stay within.
pub fn batch_limits(destination: &Destination) -> (usize, usize) {
    match destination {
        Destination::WebHook(hook) => (
            hook.max_events_per_batch as usize,
            hook.preferred_batch_size_in_kilobytes as usize * 1024,
        ),
        Destination::PartnerDestination(_) => (1, 64 * 1024),
        other => match other.aws() {
            Some((service, target)) => target.batching(service),
            None => (1, 64 * 1024),
        },
    }
}
