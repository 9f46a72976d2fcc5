//! `GET .../deliveryAttempts`: the subscription's delivery log, oldest first, for one event
//! (`eventId`) or all, from a time on (`since`), a page at a time (`$top`, `nextLink`). Owner
//! only. Entries are kept for the log's retention (3 days unless configured).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use time::OffsetDateTime;

use crate::auth::Caller;
use crate::delivery::log::{Entry, ms};
use crate::error::{Error, Result, code};
use crate::ids::ResourceId;
use crate::ports::Ports;
use crate::table;
use crate::usecases::resources::event_subscriptions;
use crate::usecases::support::listing::{DEFAULT_TOP, Listed, MAX_TOP, PageRequest};

/// Log items read per query.
const ITEMS_PER_READ: usize = 25;
/// The most log bytes one request reads: a page may come back short (with a `nextLink`) when
/// the entries it looks for are sparse.
const BYTES_PER_REQUEST: usize = 4 * 1024 * 1024;

/// What `deliveryAttempts` was asked for.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub event_id: Option<String>,
    pub since: Option<OffsetDateTime>,
    pub page: PageRequest,
}

/// Reads `since` (RFC 3339).
pub fn parse_since(text: &str) -> Result<OffsetDateTime> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).map_err(|_| {
        Error::invalid(
            code::INVALID_PROPERTY,
            format!("since '{text}' is not an RFC 3339 time such as 2026-01-31T12:00:00Z"),
        )
    })
}

/// A page of the attempts `query` asks for.
pub async fn list(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
    query: &Query,
) -> Result<Listed<Entry>> {
    event_subscriptions::get(ports, caller, id).await?;
    let top = query.page.top.unwrap_or(DEFAULT_TOP);
    if !(1..=MAX_TOP).contains(&top) {
        return Err(Error::invalid(
            code::INVALID_PROPERTY,
            format!("$top is {top}; use 1 to {MAX_TOP}"),
        ));
    }
    let (mut after, mut skip) = match &query.page.skip_token {
        Some(token) => decode(token)?,
        None => (query.since.map(|t| format!("{:015}", ms(t))), 0),
    };
    let now = ports.clock.now().unix_timestamp();
    let since_ms = query.since.map(ms).unwrap_or(0);
    let partition = table::delivery_log_partition(id);
    let mut entries = Vec::new();
    let mut read = 0;
    loop {
        let page = ports
            .store
            .query(&partition, "", after.as_deref(), ITEMS_PER_READ)
            .await?;
        for item in &page.items {
            read += item.body.len();
            let live = item.expires_at.is_none_or(|at| at > now);
            let logged: Vec<Entry> = match live {
                true => table::decode(&item.body)?,
                false => Vec::new(),
            };
            for (i, entry) in logged.into_iter().enumerate().skip(skip) {
                let wanted = entry.at_ms >= since_ms
                    && query
                        .event_id
                        .as_ref()
                        .is_none_or(|e| **e == *entry.event_id);
                if !wanted {
                    continue;
                }
                if entries.len() == top {
                    return Ok(page_of(entries, Some((&item.key.sort, i))));
                }
                entries.push(entry);
            }
            skip = 0;
            after = Some(item.key.sort.clone());
            if read >= BYTES_PER_REQUEST && page.next.is_some() {
                return Ok(page_of(entries, after.as_deref().map(|a| (a, usize::MAX))));
            }
        }
        if page.next.is_none() {
            return Ok(page_of(entries, None));
        }
    }
}

/// `entries`, and the token of what follows: the log item's sort key and the index of the
/// entry to start at in it (past its end: start after it).
fn page_of(entries: Vec<Entry>, next: Option<(&str, usize)>) -> Listed<Entry> {
    Listed {
        items: entries,
        skip_token: next.map(|(sort, i)| match i {
            usize::MAX => URL_SAFE_NO_PAD.encode(format!("after|{sort}")),
            i => URL_SAFE_NO_PAD.encode(format!("at|{sort}|{i}")),
        }),
    }
}

/// Where a token says to go on: the sort key to read after, and entries to skip in the first
/// item read.
fn decode(token: &str) -> Result<(Option<String>, usize)> {
    let bad = || {
        Error::invalid(
            code::INVALID_SKIP_TOKEN,
            "$skipToken is not one this listing issued; follow nextLink as returned",
        )
    };
    let text = URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(bad)?;
    let parts: Vec<&str> = text.split('|').collect();
    match parts.as_slice() {
        ["after", sort] => Ok((Some((*sort).to_owned()), 0)),
        ["at", sort, index] => {
            let index: usize = index.parse().map_err(|_| bad())?;
            Ok((Some(before(sort)), index))
        }
        _ => Err(bad()),
    }
}

/// A key just before `sort` (an ASCII log key, whose last character is a hex digit), so a
/// query after it starts at `sort`.
fn before(sort: &str) -> String {
    let mut key = sort.to_owned();
    if let Some(last) = key.pop() {
        key.push(char::from(last as u8 - 1));
        key.push('~');
    }
    key
}
