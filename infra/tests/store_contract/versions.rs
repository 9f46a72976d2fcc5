//! Single writes: versions, expectations, deletes, expiry and bodies.

on_every_store!(cases:
    put_then_get_returns_the_item_at_version_one,
    get_of_a_missing_key_is_none,
    every_put_adds_one_to_the_version,
    a_stale_version_is_a_conflict_and_changes_nothing,
    a_version_expectation_on_a_missing_item_is_a_conflict,
    absent_expectation_fails_when_the_item_exists,
    a_deleted_key_starts_again_at_version_one,
    delete_of_missing_key_with_any_succeeds,
    delete_with_a_stale_version_is_a_conflict_and_keeps_the_item,
    delete_with_absent_expectation_succeeds_only_when_nothing_is_there,
    expires_at_round_trips,
    bodies_round_trip_unchanged,
    concurrent_versioned_writers_exactly_one_wins,
    an_exists_expectation_holds_only_while_the_item_is_there,
);

/// The cases, each on a fresh store.
#[cfg(test)]
mod cases {
    use shared::error::ErrorKind;
    use shared::ports::{Expect, Item, Key, Tally, Write};

    use crate::store_contract::{P, S, check, conflict, del, get, key, ok, put, st, state};

    pub async fn put_then_get_returns_the_item_at_version_one(store: S) {
        store
            .put(key("a"), r#"{"x":1}"#.into(), Expect::Absent)
            .await
            .unwrap();
        let want = Item {
            key: key("a"),
            version: 1,
            body: r#"{"x":1}"#.into(),
            expires_at: None,
            tally: Tally::default(),
        };
        assert_eq!(get(&store, "a").await, Some(want));
    }

    pub async fn get_of_a_missing_key_is_none(store: S) {
        assert_eq!(get(&store, "a").await, None);
        store
            .put(Key::new("other", "a"), "x".into(), Expect::Any)
            .await
            .unwrap();
        assert_eq!(get(&store, "a").await, None);
    }

    pub async fn every_put_adds_one_to_the_version(store: S) {
        ok(&store, [put("a", "1", Expect::Any)]).await;
        assert_eq!(state(&store, "a").await, st(1, "1"));
        ok(&store, [put("a", "2", Expect::Any)]).await;
        assert_eq!(state(&store, "a").await, st(2, "2"));
        ok(&store, [put("a", "3", Expect::Version(2))]).await;
        assert_eq!(state(&store, "a").await, st(3, "3"));
    }

    pub async fn a_stale_version_is_a_conflict_and_changes_nothing(store: S) {
        ok(&store, [put("a", "1", Expect::Absent)]).await;
        ok(&store, [put("a", "2", Expect::Version(1))]).await;
        conflict(&store, [put("a", "stale", Expect::Version(1))]).await;
        conflict(&store, [put("a", "future", Expect::Version(3))]).await;
        assert_eq!(state(&store, "a").await, st(2, "2"));
    }

    pub async fn a_version_expectation_on_a_missing_item_is_a_conflict(store: S) {
        conflict(&store, [put("a", "x", Expect::Version(1))]).await;
        assert_eq!(get(&store, "a").await, None);
    }

    pub async fn absent_expectation_fails_when_the_item_exists(store: S) {
        ok(&store, [put("a", "first", Expect::Absent)]).await;
        conflict(&store, [put("a", "second", Expect::Absent)]).await;
        assert_eq!(state(&store, "a").await, st(1, "first"));
    }

    pub async fn a_deleted_key_starts_again_at_version_one(store: S) {
        ok(&store, [put("a", "1", Expect::Any)]).await;
        ok(&store, [put("a", "2", Expect::Any)]).await;
        store.delete(key("a"), Expect::Version(2)).await.unwrap();
        assert_eq!(get(&store, "a").await, None);
        ok(&store, [put("a", "again", Expect::Absent)]).await;
        assert_eq!(state(&store, "a").await, st(1, "again"));
    }

    pub async fn delete_of_missing_key_with_any_succeeds(store: S) {
        store.delete(key("missing"), Expect::Any).await.unwrap();
        assert_eq!(get(&store, "missing").await, None);
    }

    pub async fn delete_with_a_stale_version_is_a_conflict_and_keeps_the_item(store: S) {
        ok(&store, [put("a", "1", Expect::Any)]).await;
        ok(&store, [put("a", "2", Expect::Any)]).await;
        conflict(&store, [del("a", Expect::Version(1))]).await;
        conflict(&store, [del("missing", Expect::Version(1))]).await;
        assert_eq!(state(&store, "a").await, st(2, "2"));
    }

    pub async fn delete_with_absent_expectation_succeeds_only_when_nothing_is_there(store: S) {
        ok(&store, [del("missing", Expect::Absent)]).await;
        ok(&store, [put("a", "1", Expect::Any)]).await;
        conflict(&store, [del("a", Expect::Absent)]).await;
        assert_eq!(state(&store, "a").await, st(1, "1"));
    }

    pub async fn expires_at_round_trips(store: S) {
        let expiring = |body: &str, expires_at| {
            let (key, body, expect) = (key("a"), body.to_owned(), Expect::Any);
            [Write::Put {
                key,
                body,
                expires_at,
                expect,
            }]
        };
        ok(&store, expiring("1", Some(1_900_000_000))).await;
        assert_eq!(
            get(&store, "a").await.unwrap().expires_at,
            Some(1_900_000_000)
        );
        let page = store.query(P, "", None, 10).await.unwrap();
        assert_eq!(page.items[0].expires_at, Some(1_900_000_000));
        ok(&store, expiring("2", Some(1_000))).await;
        assert_eq!(get(&store, "a").await.unwrap().expires_at, Some(1_000));
        ok(&store, expiring("3", None)).await;
        let item = get(&store, "a").await.unwrap();
        assert_eq!((item.version, item.expires_at), (3, None));
    }

    pub async fn bodies_round_trip_unchanged(store: S) {
        let long = "x".repeat(300_000);
        let bodies = ["", " ", "{\"q\":\"\\\"\\n\"}\n\t", "ünïcødé ✓ 𝄞", &long];
        for (i, body) in bodies.iter().enumerate() {
            ok(&store, [put(&format!("b{i}"), body, Expect::Absent)]).await;
            assert_eq!(state(&store, &format!("b{i}")).await, st(1, body));
        }
    }

    pub async fn concurrent_versioned_writers_exactly_one_wins(store: S) {
        ok(&store, [put("race", "start", Expect::Absent)]).await;
        let writers: Vec<_> = (0..8)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .put(key("race"), format!("w{i}"), Expect::Version(1))
                        .await
                })
            })
            .collect();
        let mut winners = Vec::new();
        for (i, writer) in writers.into_iter().enumerate() {
            match writer.await.unwrap() {
                Ok(()) => winners.push(format!("w{i}")),
                Err(err) => assert_eq!(err.kind, ErrorKind::Conflict, "{err}"),
            }
        }
        assert_eq!(winners.len(), 1, "winners: {winners:?}");
        assert_eq!(state(&store, "race").await, st(2, &winners[0]));
    }

    pub async fn an_exists_expectation_holds_only_while_the_item_is_there(store: S) {
        conflict(&store, [check("a", Expect::Exists)]).await;
        ok(&store, [put("a", "1", Expect::Absent)]).await;
        ok(&store, [check("a", Expect::Exists)]).await;
        ok(&store, [put("a", "2", Expect::Exists)]).await;
        ok(&store, [del("a", Expect::Exists)]).await;
        conflict(&store, [del("a", Expect::Exists)]).await;
    }
}
