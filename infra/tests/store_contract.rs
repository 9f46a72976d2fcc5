//! The `Store` contract: every case runs against every adapter, each on a fresh store
//! (embedded: a new temporary directory; DynamoDB: a new uniquely named table on the emulator
//! at `PARTNER_EVENTS_TEST_AWS_ENDPOINT`). Each module is one part of the contract; the helpers
//! here build writes and read items for all of them.

mod batches;
mod queries;
mod tallies;
mod versions;

use std::sync::Arc;

use shared::error::{ErrorKind, code};
use shared::ports::{Expect, Item, Key, Store, Write};

type S = Arc<dyn Store>;

const P: &str = "tenant-1";

fn key(sort: &str) -> Key {
    Key::new(P, sort)
}

fn put(sort: &str, body: &str, expect: Expect) -> Write {
    let (key, body, expires_at) = (key(sort), body.to_owned(), None);
    Write::Put {
        key,
        body,
        expires_at,
        expect,
    }
}

fn del(sort: &str, expect: Expect) -> Write {
    Write::Delete {
        key: key(sort),
        expect,
    }
}

fn check(sort: &str, expect: Expect) -> Write {
    Write::Check {
        key: key(sort),
        expect,
    }
}

async fn ok(store: &S, writes: impl Into<Vec<Write>>) {
    store.write(writes.into()).await.unwrap();
}

async fn conflict(store: &S, writes: impl Into<Vec<Write>>) {
    let err = store
        .write(writes.into())
        .await
        .expect_err("expected a conflict");
    assert_eq!(
        (err.kind, err.code),
        (ErrorKind::Conflict, code::CONCURRENT_UPDATE),
        "{err}"
    );
}

async fn get(store: &S, sort: &str) -> Option<Item> {
    store.get(&key(sort)).await.unwrap()
}

/// The version and body at `sort`.
async fn state(store: &S, sort: &str) -> Option<(u64, String)> {
    get(store, sort).await.map(|item| (item.version, item.body))
}

fn st(version: u64, body: &str) -> Option<(u64, String)> {
    Some((version, body.to_owned()))
}

async fn sorts(
    store: &S,
    prefix: &str,
    after: Option<&str>,
    limit: usize,
) -> (Vec<String>, Option<String>) {
    let page = store.query(P, prefix, after, limit).await.unwrap();
    (
        page.items.into_iter().map(|i| i.key.sort).collect(),
        page.next,
    )
}
