//! Dead letters: events a subscription gave up on, stored at once with Event Grid's fields,
//! kept for [`RETENTION`], listed newest first, and put back on the delivery path on request.
//! An event too large for one table item is kept as a stored payload for as long.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use time::{Duration, OffsetDateTime};

use crate::auth::Caller;
use crate::delivery::{EventJson, LastAttempt, TaskHead};
use crate::error::{Error, Result};
use crate::ids::ResourceId;
use crate::ports::{Expect, MAX_WRITES, Ports, Queue, Write};
use crate::table;
use crate::usecases::resources::event_subscriptions;
use crate::usecases::support::listing::{Listed, PageRequest};
use crate::usecases::support::payloads::{load_payload, store_payload, task_messages};

/// How long a dead letter is kept.
pub const RETENTION: Duration = Duration::days(14);
/// Events larger than this are kept as a stored payload rather than in the dead letter's item.
const INLINE_BYTES: usize = 300 * 1024;
/// The most ids one redelivery may name.
pub const MAX_REDELIVER_IDS: usize = 1000;

/// One dead-lettered event as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadLetter {
    pub id: String,
    pub reason: String,
    pub attempts: u32,
    pub last_outcome: String,
    pub last_status: u16,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub last_attempt_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub published_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub dead_lettered_at: OffsetDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<Box<RawValue>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
}

/// Why and after what a batch was given up.
#[derive(Debug, Clone)]
pub struct GiveUp<'a> {
    pub reason: &'a str,
    pub attempts: u32,
    pub last: Option<&'a LastAttempt>,
    pub published_at: OffsetDateTime,
}

/// Stores each event as a dead letter of `subscription`; returns them, in the events' order.
pub async fn store(
    ports: &Ports,
    subscription: &ResourceId,
    events: &[EventJson],
    why: &GiveUp<'_>,
    notice: Option<Write>,
) -> Result<Vec<DeadLetter>> {
    let now = ports.clock.now();
    let expires = Some((now + RETENTION).unix_timestamp());
    let mut writes = Vec::new();
    let mut letters = Vec::with_capacity(events.len());
    for json in events {
        let id = uuid::Uuid::new_v4().to_string();
        let raw = (json.len() <= INLINE_BYTES)
            .then(|| RawValue::from_string(json.to_string()).ok())
            .flatten();
        let (event, payload) = match raw {
            Some(raw) => (Some(raw), None),
            None => (None, Some(store_payload(ports, json, RETENTION).await?)),
        };
        let letter = DeadLetter {
            id: id.clone(),
            reason: why.reason.to_owned(),
            attempts: why.attempts,
            last_outcome: why.last.map_or_else(String::new, |l| l.outcome.clone()),
            last_status: why.last.map_or(0, |l| l.status),
            last_attempt_at: why.last.map(|l| l.at),
            published_at: why.published_at,
            dead_lettered_at: now,
            event,
            payload,
        };
        writes.push(table::put_with_ttl(
            table::dead_letter(subscription, now, &id),
            &letter,
            Expect::Absent,
            expires,
        )?);
        letters.push(letter);
        if writes.len() == MAX_WRITES {
            ports.store.write(std::mem::take(&mut writes)).await?;
        }
    }
    writes.extend(notice);
    if !writes.is_empty() {
        ports.store.write(writes).await?;
    }
    Ok(letters)
}

impl DeadLetter {
    /// The event as Event Grid dead-letters a CloudEvent: the event with the lower-case
    /// extension attributes `deadletterreason`, `deliveryattempts`, `lastdeliveryoutcome`,
    /// `lasthttpstatuscode`, `lastdeliveryattempttime` and `publishtime`, plus
    /// `deadletterid` and `deadlettertime` (ours: what redelivery names, and when). An event
    /// that does not parse as a JSON object (one the fan-out could not read) is shown as its
    /// text in `event`.
    pub fn view(&self, event: &str) -> Result<Value> {
        let mut object: Map<String, Value> = serde_json::from_str(event)
            .unwrap_or_else(|_| Map::from_iter([("event".to_owned(), event.into())]));
        let time = crate::time_format::rfc3339;
        object.insert("deadletterreason".into(), self.reason.clone().into());
        object.insert("deliveryattempts".into(), self.attempts.into());
        object.insert(
            "lastdeliveryoutcome".into(),
            self.last_outcome.clone().into(),
        );
        object.insert("lasthttpstatuscode".into(), self.last_status.into());
        if let Some(at) = self.last_attempt_at {
            object.insert("lastdeliveryattempttime".into(), time(at).into());
        }
        object.insert("publishtime".into(), time(self.published_at).into());
        object.insert("deadletterid".into(), self.id.clone().into());
        object.insert("deadlettertime".into(), time(self.dead_lettered_at).into());
        Ok(Value::Object(object))
    }

    async fn event(&self, ports: &Ports) -> Result<String> {
        match (&self.event, &self.payload) {
            (Some(raw), _) => Ok(raw.get().to_owned()),
            (None, Some(id)) => load_payload(ports, id).await,
            (None, None) => Err(Error::internal("dead letter without its event")),
        }
    }
}

/// A page of the subscription's dead letters, newest first, as Event Grid shows them.
pub async fn list(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
    page: &PageRequest,
) -> Result<Listed<Value>> {
    event_subscriptions::get(ports, caller, id).await?;
    let listed: Listed<DeadLetter> = crate::usecases::support::listing::list_prefix(
        ports.store.as_ref(),
        &table::dead_letter_partition(id),
        "",
        page,
    )
    .await?;
    let cutoff = ports.clock.now() - RETENTION;
    let mut items = Vec::with_capacity(listed.items.len());
    for letter in listed.items {
        if letter.dead_lettered_at <= cutoff {
            continue;
        }
        items.push(letter.view(&letter.event(ports).await?)?);
    }
    Ok(Listed {
        items,
        skip_token: listed.skip_token,
    })
}

/// Sends the subscription's dead letters (all, or those whose `deadletterid` or event `id` is
/// in `ids`) back to delivery with a fresh retry budget, then removes them. Returns how many.
pub async fn redeliver(
    ports: &Ports,
    queue: &dyn Queue,
    caller: &Caller,
    id: &ResourceId,
    ids: Option<&[String]>,
) -> Result<usize> {
    event_subscriptions::get(ports, caller, id).await?;
    if ids.is_some_and(|ids| ids.len() > MAX_REDELIVER_IDS) {
        return Err(Error::invalid(
            crate::error::code::INVALID_PROPERTY,
            format!("ids names more than {MAX_REDELIVER_IDS} dead letters; send several requests"),
        ));
    }
    let partition = table::dead_letter_partition(id);
    let now = ports.clock.now();
    let mut after: Option<String> = None;
    let mut count = 0;
    loop {
        let page = ports
            .store
            .query(&partition, "", after.as_deref(), 100)
            .await?;
        let mut removals = Vec::new();
        let mut bodies = Vec::new();
        for item in &page.items {
            let letter: DeadLetter = table::decode(&item.body)?;
            let event = letter.event(ports).await?;
            let wanted = ids.is_none_or(|ids| {
                let event_id = event_id(&event);
                ids.iter()
                    .any(|i| *i == letter.id || Some(i.as_str()) == event_id.as_deref())
            });
            if !wanted || letter.dead_lettered_at <= now - RETENTION {
                continue;
            }
            let head = TaskHead {
                subscription: id.to_string(),
                attempts: 0,
                published_at: letter.published_at,
                since: now,
                due: now,
                last: None,
            };
            bodies.extend(task_messages(ports, &head, &[EventJson::from(event)]).await?);
            removals.push(Write::Delete {
                key: item.key.clone(),
                expect: Expect::Any,
            });
            count += 1;
        }
        if !removals.is_empty() {
            queue.send(bodies, std::time::Duration::ZERO).await?;
            ports.store.write(removals).await?;
        }
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(count),
        }
    }
}

fn event_id(event: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Id {
        id: Option<String>,
    }
    serde_json::from_str::<Id>(event).ok()?.id
}
