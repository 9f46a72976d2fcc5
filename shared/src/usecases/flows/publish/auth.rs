//! Who may publish: the endpoint a publisher addressed, by name (from the cache when it was
//! loaded under the current generation), its network settings, and the key or SAS token.

use std::net::IpAddr;
use std::sync::Arc;

use super::{Ingest, Published, code};
use crate::error::{Error, Result};
use crate::ingest::sas::{self, Credential};
use crate::ports::Ports;
use crate::provisioning::access::Access;
use crate::provisioning::endpoint::AccessKeys;
use crate::usecases::resources::endpoints;

/// Who publishes: the key or SAS token presented, and the address the request came from
/// (when the host knows it).
#[derive(Debug, Clone)]
pub struct Publisher {
    pub credential: Credential,
    pub address: Option<IpAddr>,
}

/// The endpoint of kind `E` named `name`, from the cache or the store, and the endpoint's
/// current generation; 404 (a name that cannot exist reads nothing).
pub(super) async fn cached_by_name<E: Published>(
    ingest: &Ingest,
    name: &str,
) -> Result<(Arc<E>, u64)> {
    let missing = || {
        Error::not_found(
            E::NOT_FOUND,
            format!("no {} is named '{name}'; check the endpoint URL", E::WHAT),
        )
    };
    if crate::ids::check_resource_name(E::WHAT, name).is_err() {
        return Err(missing());
    }
    let ports = &ingest.ports;
    let generation = endpoints::generation::<E>(name)?.current(ports).await?;
    let now = ports.clock.now();
    let key = name.to_lowercase();
    let cache = E::cache(ingest);
    if let Some(found) = cache.get(&key, now, generation) {
        return Ok((found, generation));
    }
    let found = endpoints::by_name::<E>(ports, name)
        .await?
        .map(Arc::new)
        .ok_or_else(missing)?;
    cache.put(key, found.clone(), now, generation);
    Ok((found, generation))
}

/// Checks the publisher's address against the endpoint's network settings, then its key or SAS
/// token against the endpoint's two keys, unless keys are disabled.
pub(super) fn check_publisher(
    ports: &Ports,
    access: &Access,
    keys: &AccessKeys,
    endpoint: &str,
    publisher: &Publisher,
) -> Result<()> {
    access.admits(publisher.address)?;
    if access.disable_local_auth {
        return Err(Error::unauthorized(
            code::LOCAL_AUTH_DISABLED,
            "this endpoint has disableLocalAuth set, so keys and SAS tokens are refused",
        ));
    }
    let keys = [keys.key1.as_str(), keys.key2.as_str()];
    match &publisher.credential {
        Credential::Key(key) => sas::verify_key(key, &keys),
        Credential::Token(raw) => {
            sas::verify_token(&sas::parse_token(raw)?, endpoint, &keys, ports.clock.now())
        }
    }
}
