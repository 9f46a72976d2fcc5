//! A channel and the partner topic it created live and die together. This module holds what
//! both sides share: the authorization check, the index writes, and purging a pair.

use time::OffsetDateTime;

use crate::error::Result;
use crate::ids::ResourceId;
use crate::partners::configuration::require_authorized;
use crate::ports::{Expect, Key, Ports, Write};
use crate::provisioning::channel::Channel;
use crate::provisioning::topic::PartnerTopic;
use crate::table::{self, Versioned};
use crate::usecases::resources::configurations::authorization_of;
use crate::usecases::support::cascade;
use crate::usecases::support::generations::Endpoint;
use crate::usecases::support::platform_events::{self, Lifecycle};

/// What a source index entry and an activation-deadline entry hold: the channel they name.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ChannelRef {
    pub channel: ResourceId,
}

/// Grace after an activation deadline before the store's TTL may drop a record the sweeper
/// has not yet removed.
const TTL_GRACE: time::Duration = time::Duration::days(1);

/// The TTL of a record that expires unless activated by `deadline`.
pub fn ttl(deadline: OffsetDateTime) -> Option<i64> {
    Some((deadline + TTL_GRACE).unix_timestamp())
}

/// The key of the index entry that routes `source` to this channel, if it has a source. Only a
/// `SourceEventAttribute` namespace writes these entries (its sources are unique); in a
/// `ChannelNameHeader` namespace a source is informational and may repeat.
pub fn source_key(channel: &Channel) -> Option<Key> {
    channel
        .partner_topic_info
        .source
        .as_deref()
        .map(|s| table::channel_source(channel.id.top_name(), s))
}

/// Fails with 403 `PartnerNotAuthorized` unless the customer's resource group holds an
/// unexpired authorization for `partner`. Returns the configuration's version so a write can
/// be made conditional on the authorization not changing meanwhile.
pub async fn require_authorization(
    ports: &Ports,
    topic: &ResourceId,
    partner: uuid::Uuid,
) -> Result<Option<(Key, u64)>> {
    let found = authorization_of(ports, topic).await?;
    let configuration = found.as_ref().map(|(_, _, config)| config);
    require_authorized(configuration, partner, topic, ports.clock.now())?;
    Ok(found.map(|(key, version, _)| (key, version)))
}

/// The channel at `id`, and its partner topic if the topic still belongs to it.
pub async fn read_pair(
    ports: &Ports,
    id: &ResourceId,
) -> Result<(Option<Versioned<Channel>>, Option<Versioned<PartnerTopic>>)> {
    let store = ports.store.as_ref();
    let Some(channel) = table::get::<Channel>(store, &table::resource_key(id)).await? else {
        return Ok((None, None));
    };
    let topic_id = channel.value.partner_topic_info.topic_id()?;
    let topic = table::get::<PartnerTopic>(store, &table::resource_key(&topic_id))
        .await?
        .filter(|t| table::resource_key(&t.value.channel) == table::resource_key(id));
    Ok((Some(channel), topic))
}

/// The writes that delete a channel, its topic and their index entries, bumping the
/// namespace's generation. The source index entry is deleted only if it routes to this channel.
pub async fn delete_writes(
    ports: &Ports,
    channel: &Versioned<Channel>,
    topic: Option<&Versioned<PartnerTopic>>,
) -> Result<Vec<Write>> {
    let c = &channel.value;
    let mut writes = vec![
        Write::Delete {
            key: table::resource_key(&c.id),
            expect: channel.expect(),
        },
        Endpoint::of_channel(&c.id).bump(),
        Write::Delete {
            key: table::activation_deadline(c.expiration_time_if_not_activated_utc, &c.id),
            expect: Expect::Any,
        },
    ];
    if let Some(topic) = topic {
        writes.push(Write::Delete {
            key: table::resource_key(&topic.value.id),
            expect: topic.expect(),
        });
    }
    if let Some(key) = source_key(c)
        && let Some(entry) = table::get::<ChannelRef>(ports.store.as_ref(), &key).await?
        && table::resource_key(&entry.value.channel) == table::resource_key(&c.id)
    {
        writes.push(Write::Delete {
            key,
            expect: entry.expect(),
        });
    }
    Ok(writes)
}

/// Deletes the channel at `id` and its topic, whatever their state, reporting `what` happened
/// to the topic on the customer's system topic. Missing is success.
pub async fn purge(ports: &Ports, id: &ResourceId, what: Lifecycle) -> Result<()> {
    let (channel, topic) = read_pair(ports, id).await?;
    let Some(channel) = channel else {
        return Ok(());
    };
    let mut writes = delete_writes(ports, &channel, topic.as_ref()).await?;
    if let Some(topic) = &topic {
        let event = platform_events::lifecycle(&topic.value, what, ports.clock.now())?;
        writes.push(platform_events::record(ports, &event)?);
    }
    ports.store.write(writes).await?;
    if let Some(topic) = &topic {
        cascade::subscriptions_of(ports, &topic.value.id).await?;
    }
    tracing::info!(channel = %id, "channel and partner topic deleted");
    Ok(())
}

/// Deletes the pair of the topic at `topic_id` if it expired, so its name is free again.
pub async fn clear_expired_topic(ports: &Ports, topic_id: &ResourceId) -> Result<()> {
    let now = ports.clock.now();
    if let Some(topic) =
        table::get::<PartnerTopic>(ports.store.as_ref(), &table::resource_key(topic_id)).await?
        && topic.value.is_expired(now)
    {
        purge(ports, &topic.value.channel, Lifecycle::Expired).await?;
        if ports
            .store
            .get(&table::resource_key(topic_id))
            .await?
            .is_some()
        {
            ports
                .store
                .write(vec![Write::Delete {
                    key: table::resource_key(topic_id),
                    expect: topic.expect(),
                }])
                .await?;
        }
    }
    Ok(())
}

/// Frees the source index entry at `key` if its channel expired or is gone.
pub async fn clear_expired_source(ports: &Ports, key: &crate::ports::Key) -> Result<()> {
    if let Some(entry) = table::get::<ChannelRef>(ports.store.as_ref(), key).await? {
        let (channel, _) = read_pair(ports, &entry.value.channel).await?;
        match channel {
            Some(c) if c.value.is_expired(ports.clock.now()) => {
                purge(ports, &entry.value.channel, Lifecycle::Expired).await?
            }
            None => {
                ports
                    .store
                    .write(vec![Write::Delete {
                        key: key.clone(),
                        expect: entry.expect(),
                    }])
                    .await?
            }
            Some(_) => {}
        }
    }
    Ok(())
}
