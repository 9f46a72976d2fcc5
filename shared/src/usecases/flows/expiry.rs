//! The sweeper: removes channel and partner-topic pairs whose activation deadline passed
//! without activation. Reads already hide them; this reclaims the records.

use crate::error::Result;
use crate::ports::{Expect, Ports, Write};
use crate::provisioning::channel::ReadinessState;
use crate::table;
use crate::usecases::resources::pairs::{self, ChannelRef};
use crate::usecases::support::platform_events::Lifecycle;

/// Removes every pair whose deadline has passed, oldest first, up to `limit` pairs. Returns
/// how many deadline entries it settled. Safe to run concurrently and repeatedly.
pub async fn sweep(ports: &Ports, limit: usize) -> Result<usize> {
    let now = ports.clock.now().unix_timestamp();
    let page = ports
        .store
        .query(table::ACTIVATION_DEADLINES, "", None, limit.clamp(1, 1000))
        .await?;
    let mut settled = 0;
    for item in page.items {
        if table::activation_deadline_time(&item.key.sort).is_none_or(|at| at > now) {
            break;
        }
        let entry: ChannelRef = table::decode(&item.body)?;
        let (channel, _) = pairs::read_pair(ports, &entry.channel).await?;
        match channel {
            Some(c) if c.value.is_expired(ports.clock.now()) => {
                pairs::purge(ports, &entry.channel, Lifecycle::Expired).await?
            }
            Some(c) if c.value.readiness_state == ReadinessState::NeverActivated => continue,
            _ => {
                ports
                    .store
                    .write(vec![Write::Delete {
                        key: item.key,
                        expect: Expect::Version(item.version),
                    }])
                    .await?
            }
        }
        settled += 1;
    }
    if settled > 0 {
        tracing::info!(settled, "activation deadlines swept");
    }
    Ok(settled)
}
