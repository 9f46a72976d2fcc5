//! The single-table layout: which partition and sort key each kind of item lives at, and the
//! typed JSON helpers every use case reads and writes through.
//!
//! | item | partition | sort |
//! |---|---|---|
//! | an ARM resource | `sub#{subscription}` | [`ResourceId::storage_sort_key`] (`{types}#{rg}#{names}`) |
//! | a subscription's owner | `sub#{subscription}` | `#owner` |
//! | a principal | `principals` | `{name}` |
//! | a key-hash index entry | `apikey#{sha256 hex}` | `-` |
//! | a verified partner | `verifiedPartners` | `{lower-cased name}` |
//! | a partner registration by immutable id | `partnerRegistrationId#{uuid}` | `-` |
//! | a partner registration by name | `partnerRegistrationName#{lower-cased name}` | `-` |
//! | a partner namespace by name | `partnerNamespaceName#{lower-cased name}` | `-` |
//! | a customer topic by name | `topicName#{lower-cased name}` | `-` |
//! | a platform event waiting to be relayed | `platformEventsOutbox` | `{20-digit Unix ms}#{event id}` |
//! | the channel that owns a source | `channelSource#{lower-cased namespace}` | `{source}` |
//! | a chunk of an event too large for a queue message | `payload#{uuid}` | `{chunk, 4 digits}` |
//! | a channel's activation deadline | `activationDeadlines` | `{unix seconds, 20 digits}#{channel id}` |
//! | a dead-lettered event | `deadLetters#{subscription}#{event subscription sort key}` | `{20-digit inverted Unix ms}#{dead letter id}` (newest first) |
//! | an event subscription's delivery counts | `deliveryStats#{subscription}#{event subscription sort key}` | `-` |
//! | what settled of a fan-out message being handled | `progress#{message id}` | `-` |
//! | a publish endpoint's generation (its version) | `generation#{partnerNamespaces, topics or systemTopics}#{lower-cased name}` | `-` |
//!
//! Listing one type per subscription is a prefix query `{types}#`; per resource group
//! `{types}#{rg}#`.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::ids::{ResourceId, ResourceType, SubscriptionId};
use crate::ports::{Expect, Key, Store, Write};

pub fn subscription_partition(subscription: SubscriptionId) -> String {
    format!("sub#{subscription}")
}

pub fn resource_key(id: &ResourceId) -> Key {
    Key::new(
        subscription_partition(id.subscription),
        id.storage_sort_key(),
    )
}

pub fn owner_key(subscription: SubscriptionId) -> Key {
    Key::new(subscription_partition(subscription), "#owner")
}

/// The sort-key prefix that lists `types` in a subscription, or in one resource group of it.
pub fn list_prefix(types: &[ResourceType], resource_group: Option<&str>) -> String {
    let types: Vec<&str> = types.iter().map(|t| t.segment()).collect();
    match resource_group {
        Some(rg) => format!("{}#{}#", types.join("/"), rg.to_lowercase()),
        None => format!("{}#", types.join("/")),
    }
}

pub const PRINCIPALS: &str = "principals";

pub fn principal_key(name: &str) -> Key {
    Key::new(PRINCIPALS, name.to_lowercase())
}

pub fn api_key_index(hash_hex: &str) -> Key {
    Key::new(format!("apikey#{hash_hex}"), "-")
}

pub const VERIFIED_PARTNERS: &str = "verifiedPartners";

pub fn verified_partner_key(name: &str) -> Key {
    Key::new(VERIFIED_PARTNERS, name.to_lowercase())
}

pub fn registration_by_id(id: uuid::Uuid) -> Key {
    Key::new(format!("partnerRegistrationId#{id}"), "-")
}

pub fn registration_by_name(name: &str) -> Key {
    Key::new(
        format!("partnerRegistrationName#{}", name.to_lowercase()),
        "-",
    )
}

/// A value read from the store with the version its next conditional write must expect.
#[derive(Debug, Clone, PartialEq)]
pub struct Versioned<T> {
    pub value: T,
    pub version: u64,
}

impl<T> Versioned<T> {
    pub fn expect(&self) -> Expect {
        Expect::Version(self.version)
    }
}

/// Reads and decodes the JSON item at `key`.
pub async fn get<T: DeserializeOwned>(
    store: &dyn Store,
    key: &Key,
) -> Result<Option<Versioned<T>>> {
    match store.get(key).await? {
        Some(item) => Ok(Some(Versioned {
            value: decode(&item.body)?,
            version: item.version,
        })),
        None => Ok(None),
    }
}

pub fn decode<T: DeserializeOwned>(body: &str) -> Result<T> {
    serde_json::from_str(body)
        .map_err(|e| Error::internal(format!("stored item does not decode: {e}")))
}

pub fn encode<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::internal(format!("item does not encode: {e}")))
}

/// A put of `value` as JSON.
pub fn put<T: Serialize>(key: Key, value: &T, expect: Expect) -> Result<Write> {
    let body = encode(value)?;
    Ok(Write::Put {
        key,
        body,
        expires_at: None,
        expect,
    })
}

/// Writes a JSON value with a TTL.
pub fn put_with_ttl<T: Serialize>(
    key: Key,
    value: &T,
    expect: Expect,
    expires_at: Option<i64>,
) -> Result<Write> {
    let mut write = put(key, value, expect)?;
    if let Write::Put { expires_at: e, .. } = &mut write {
        *e = expires_at;
    }
    Ok(write)
}

/// The expectation for replacing what was read: its version, or absence.
pub fn expect_of<T>(read: &Option<Versioned<T>>) -> Expect {
    read.as_ref().map_or(Expect::Absent, Versioned::expect)
}

pub fn namespace_by_name(name: &str) -> Key {
    Key::new(format!("partnerNamespaceName#{}", name.to_lowercase()), "-")
}

pub fn topic_by_name(name: &str) -> Key {
    Key::new(format!("topicName#{}", name.to_lowercase()), "-")
}

/// The progress record of fan-out message `id` (see `usecases::flows::deliveries::progress`).
pub fn fanout_progress(id: &str) -> Key {
    Key::new(format!("progress#{id}"), "-")
}

/// A publish endpoint's generation counter (see `usecases::support::generations`).
pub fn generation(kind: &str, name: &str) -> Key {
    Key::new(format!("generation#{kind}#{}", name.to_lowercase()), "-")
}

pub fn channel_source(namespace: &str, source: &str) -> Key {
    Key::new(
        format!("channelSource#{}", namespace.to_lowercase()),
        source,
    )
}

pub const ACTIVATION_DEADLINES: &str = "activationDeadlines";

pub fn activation_deadline(at: time::OffsetDateTime, channel: &ResourceId) -> Key {
    Key::new(
        ACTIVATION_DEADLINES,
        format!("{:020}#{channel}", at.unix_timestamp().max(0)),
    )
}

/// The Unix time an activation-deadline sort key starts with.
pub fn activation_deadline_time(sort: &str) -> Option<i64> {
    sort.split_once('#')?.0.parse().ok()
}

/// The sort-key prefix of `parent`'s children of type `child` (e.g. a namespace's channels).
pub fn children_prefix(parent: &ResourceId, child: ResourceType) -> String {
    let mut types: Vec<ResourceType> = parent.path.iter().map(|(t, _)| *t).collect();
    types.push(child);
    let mut prefix = list_prefix(&types, Some(&parent.resource_group));
    for (_, name) in &parent.path {
        prefix.push_str(&name.to_lowercase());
        prefix.push('#');
    }
    prefix
}

pub fn payload_partition(id: &str) -> String {
    format!("payload#{id}")
}

pub fn payload_chunk(id: &str, index: usize) -> Key {
    Key::new(payload_partition(id), format!("{index:04}"))
}

pub fn dead_letter_partition(subscription: &ResourceId) -> String {
    format!(
        "deadLetters#{}#{}",
        subscription.subscription,
        subscription.storage_sort_key()
    )
}

/// A dead letter's key: newer ones sort first.
pub fn dead_letter(subscription: &ResourceId, at: time::OffsetDateTime, id: &str) -> Key {
    let ms = (at.unix_timestamp_nanos() / 1_000_000).clamp(0, i128::from(i64::MAX)) as i64;
    Key::new(
        dead_letter_partition(subscription),
        format!("{:020}#{id}", i64::MAX - ms),
    )
}

/// The item every creation of an event subscription on `topic` changes, so that creations
/// racing for the topic's last free place are told apart (its version orders them).
pub fn subscription_set(topic: &ResourceId) -> Key {
    Key::new(
        format!(
            "subscriptionSet#{}#{}",
            topic.subscription,
            topic.storage_sort_key()
        ),
        "-",
    )
}

/// The partition of a subscription's stats items.
pub fn delivery_stats_partition(subscription: &ResourceId) -> String {
    format!(
        "deliveryStats#{}#{}",
        subscription.subscription,
        subscription.storage_sort_key()
    )
}

/// A subscription's stats item: one per incarnation (`-` for one stored without).
pub fn delivery_stats(subscription: &ResourceId, incarnation: Option<&str>) -> Key {
    Key::new(
        delivery_stats_partition(subscription),
        incarnation.unwrap_or("-"),
    )
}

/// The partition of a subscription's delivery log items.
pub fn delivery_log_partition(subscription: &ResourceId) -> String {
    format!(
        "deliveryLog#{}#{}",
        subscription.subscription,
        subscription.storage_sort_key()
    )
}

/// The partition of the events a paused subscription holds.
pub fn held_partition(subscription: &ResourceId) -> String {
    format!(
        "held#{}#{}",
        subscription.subscription,
        subscription.storage_sort_key()
    )
}

/// The items of a subscription's latency windows, beside its stats item `stats`.
pub fn delivery_latency_prefix(stats: &Key) -> String {
    format!("{}#latency#", stats.sort)
}

/// The latency window starting at `window` (Unix seconds) of the stats item `stats`.
pub fn delivery_latency(stats: &Key, window: i64) -> Key {
    Key::new(
        stats.partition.clone(),
        format!("{}{window:012}", delivery_latency_prefix(stats)),
    )
}

/// A sort key ordered by `at` (milliseconds), unique among keys made at the same moment.
pub fn time_ordered(at: time::OffsetDateTime) -> String {
    let ms = (at.unix_timestamp_nanos() / 1_000_000).clamp(0, i128::from(i64::MAX)) as i64;
    format!("{ms:015}#{:016x}", getrandom::u64().unwrap_or(0))
}
