//! Listings: a page of stored values under a sort-key prefix, `$top` and `$skipToken`, and the
//! caller's resources of one kind in a subscription or resource group.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;

use crate::auth::Caller;
use crate::error::{Error, Result, code};
use crate::ids::{ResourceType, SubscriptionId};
use crate::ports::{Ports, Store};
use crate::table;

/// Where a listing starts and how much it returns (`$skipToken`, `$top`).
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    pub skip_token: Option<String>,
    pub top: Option<usize>,
}

/// The default and largest `$top`.
pub const DEFAULT_TOP: usize = 100;
pub const MAX_TOP: usize = 1000;

/// One page of a listing and the `$skipToken` of the next, if any.
#[derive(Debug, Clone)]
pub struct Listed<T> {
    pub items: Vec<T>,
    pub skip_token: Option<String>,
}

/// Lists stored values under a sort-key prefix of one partition, a page at a time.
pub async fn list_prefix<T: DeserializeOwned>(
    store: &dyn Store,
    partition: &str,
    prefix: &str,
    page: &PageRequest,
) -> Result<Listed<T>> {
    let after = match &page.skip_token {
        Some(token) => Some(decode_token(token, prefix)?),
        None => None,
    };
    let top = page.top.unwrap_or(DEFAULT_TOP);
    if !(1..=MAX_TOP).contains(&top) {
        return Err(Error::invalid(
            code::INVALID_PROPERTY,
            format!("$top is {top}; use 1 to {MAX_TOP}"),
        ));
    }
    let found = store
        .query(partition, prefix, after.as_deref(), top)
        .await?;
    let items = found
        .items
        .iter()
        .map(|item| table::decode(&item.body))
        .collect::<Result<Vec<T>>>()?;
    Ok(Listed {
        items,
        skip_token: found.next.map(|s| URL_SAFE_NO_PAD.encode(s)),
    })
}

/// A collection's scope: a subscription, or one resource group in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub subscription: SubscriptionId,
    pub resource_group: Option<String>,
}

/// Lists the caller's resources of `kind` in `scope`; another principal's scope is not found.
pub async fn list_resources<T: DeserializeOwned>(
    ports: &Ports,
    caller: &Caller,
    scope: &Scope,
    kind: ResourceType,
    page: &PageRequest,
) -> Result<Listed<T>> {
    caller.owns(scope.subscription)?;
    let resource_group = scope.resource_group.as_deref();
    if let Some(rg) = resource_group {
        crate::ids::check_resource_group(rg)?;
    }
    let prefix = table::list_prefix(&[kind], resource_group);
    list_prefix(
        ports.store.as_ref(),
        &table::subscription_partition(scope.subscription),
        &prefix,
        page,
    )
    .await
}

fn decode_token(token: &str, prefix: &str) -> Result<String> {
    URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .filter(|s| s.starts_with(prefix))
        .ok_or_else(|| {
            Error::invalid(
                code::INVALID_SKIP_TOKEN,
                "$skipToken is not one this listing issued; follow nextLink as returned",
            )
        })
}
