//! What a delete takes with it, for the resources that hang under another: a topic's event
//! subscriptions, a subscription's dead letters, counts, log and held events, any prefix of a partition.

use crate::error::Result;
use crate::ids::{ResourceId, ResourceType};
use crate::ports::{Expect, Ports, Store, Write};
use crate::subscriptions::EventSubscription;
use crate::table;

/// Deletes every item of `partition` whose sort key starts with `prefix`, a page at a time.
pub(crate) async fn delete_under(store: &dyn Store, partition: &str, prefix: &str) -> Result<()> {
    loop {
        let page = store.query(partition, prefix, None, 100).await?;
        if page.items.is_empty() {
            return Ok(());
        }
        let writes = page
            .items
            .into_iter()
            .map(|i| Write::Delete {
                key: i.key,
                expect: Expect::Any,
            })
            .collect();
        store.write(writes).await?;
    }
}

/// Deletes what a deleted event subscription leaves: its dead letters, its delivery counts,
/// its delivery log and the events it held while paused.
pub async fn subscription_data(ports: &Ports, id: &ResourceId) -> Result<()> {
    for partition in [
        table::dead_letter_partition(id),
        table::delivery_stats_partition(id),
        table::delivery_log_partition(id),
        table::held_partition(id),
    ] {
        delete_under(ports.store.as_ref(), &partition, "").await?;
    }
    Ok(())
}

/// Deletes every subscription of a topic (when the topic goes), and its subscription set.
pub async fn subscriptions_of(ports: &Ports, topic: &ResourceId) -> Result<()> {
    let partition = table::subscription_partition(topic.subscription);
    let prefix = table::children_prefix(topic, ResourceType::EventSubscriptions);
    loop {
        let page = ports.store.query(&partition, &prefix, None, 100).await?;
        if page.items.is_empty() {
            return ports
                .store
                .delete(table::subscription_set(topic), Expect::Any)
                .await;
        }
        let mut writes = Vec::new();
        for item in page.items {
            if let Ok(subscription) = table::decode::<EventSubscription>(&item.body) {
                subscription_data(ports, &subscription.id).await?;
            }
            writes.push(Write::Delete {
                key: item.key,
                expect: Expect::Any,
            });
        }
        ports.store.write(writes).await?;
    }
}
