//! Write batches: all or nothing, their size limit, checks, and one winner among concurrent
//! transactions.

on_every_store!(cases:
    an_empty_batch_succeeds,
    a_batch_applies_every_write,
    a_batch_of_max_writes_applies_every_write,
    a_batch_of_more_than_max_writes_is_rejected_and_applies_nothing,
    a_failed_condition_in_a_batch_applies_no_write,
    check_write_guards_a_batch,
    a_check_alone_changes_nothing_and_reports_its_condition,
    concurrent_transactions_for_one_key_leave_one_whole_winner,
    a_batch_naming_one_key_twice_is_rejected_and_applies_nothing,
);

/// The cases, each on a fresh store.
#[cfg(test)]
mod cases {
    use shared::error::ErrorKind;
    use shared::ports::{Expect, Key, MAX_WRITES, Write};

    use crate::store_contract::{S, check, conflict, del, get, ok, put, sorts, st, state};

    pub async fn an_empty_batch_succeeds(store: S) {
        ok(&store, []).await;
    }

    pub async fn a_batch_applies_every_write(store: S) {
        ok(
            &store,
            [
                put("old", "old", Expect::Any),
                put("kept", "kept", Expect::Any),
            ],
        )
        .await;
        let other = Key::new("tenant-2", "x");
        let elsewhere = Write::Put {
            key: other.clone(),
            body: "o".into(),
            expires_at: None,
            expect: Expect::Any,
        };
        let kept = put("kept", "kept2", Expect::Version(1));
        ok(
            &store,
            [
                put("new", "new", Expect::Absent),
                kept,
                del("old", Expect::Version(1)),
                elsewhere,
            ],
        )
        .await;
        assert_eq!(state(&store, "new").await, st(1, "new"));
        assert_eq!(state(&store, "kept").await, st(2, "kept2"));
        assert_eq!(get(&store, "old").await, None);
        assert_eq!(store.get(&other).await.unwrap().map(|i| i.version), Some(1));
    }

    pub async fn a_batch_of_max_writes_applies_every_write(store: S) {
        let writes: Vec<_> = (0..MAX_WRITES)
            .map(|i| put(&format!("k{i:03}"), "x", Expect::Absent))
            .collect();
        ok(&store, writes).await;
        assert_eq!(sorts(&store, "k", None, 1000).await.0.len(), MAX_WRITES);
    }

    pub async fn a_batch_of_more_than_max_writes_is_rejected_and_applies_nothing(store: S) {
        let writes = (0..=MAX_WRITES)
            .map(|i| put(&format!("k{i:03}"), "x", Expect::Any))
            .collect();
        let err = store.write(writes).await.unwrap_err();
        assert_ne!(err.kind, ErrorKind::Conflict, "{err}");
        assert_eq!(sorts(&store, "", None, 1000).await, (vec![], None));
    }

    pub async fn a_failed_condition_in_a_batch_applies_no_write(store: S) {
        ok(
            &store,
            [put("a", "a1", Expect::Any), put("b", "b1", Expect::Any)],
        )
        .await;
        let failing = put("d", "never", Expect::Version(7));
        let batch = [
            put("a", "a2", Expect::Version(1)),
            del("b", Expect::Any),
            put("c", "c1", Expect::Absent),
            failing,
        ];
        conflict(&store, batch).await;
        assert_eq!(state(&store, "a").await, st(1, "a1"));
        assert_eq!(state(&store, "b").await, st(1, "b1"));
        assert_eq!(
            (get(&store, "c").await, get(&store, "d").await),
            (None, None)
        );
    }

    pub async fn check_write_guards_a_batch(store: S) {
        ok(&store, [put("guard", "g", Expect::Any)]).await;
        ok(
            &store,
            [
                check("guard", Expect::Version(1)),
                put("a", "a1", Expect::Any),
            ],
        )
        .await;
        conflict(
            &store,
            [
                check("guard", Expect::Version(2)),
                put("a", "a2", Expect::Any),
            ],
        )
        .await;
        conflict(
            &store,
            [check("guard", Expect::Absent), put("a", "a3", Expect::Any)],
        )
        .await;
        ok(
            &store,
            [check("guard", Expect::Any), put("a", "a4", Expect::Any)],
        )
        .await;
        ok(
            &store,
            [
                check("missing", Expect::Absent),
                put("a", "a5", Expect::Version(2)),
            ],
        )
        .await;
        assert_eq!(state(&store, "a").await, st(3, "a5"));
        assert_eq!(state(&store, "guard").await, st(1, "g"));
        assert_eq!(get(&store, "missing").await, None);
    }

    pub async fn a_check_alone_changes_nothing_and_reports_its_condition(store: S) {
        ok(&store, [put("a", "a", Expect::Any)]).await;
        ok(&store, [check("a", Expect::Version(1))]).await;
        ok(&store, [check("a", Expect::Any)]).await;
        ok(&store, [check("missing", Expect::Absent)]).await;
        ok(&store, [check("missing", Expect::Any)]).await;
        conflict(&store, [check("a", Expect::Version(2))]).await;
        conflict(&store, [check("a", Expect::Absent)]).await;
        conflict(&store, [check("missing", Expect::Version(1))]).await;
        assert_eq!(state(&store, "a").await, st(1, "a"));
        assert_eq!(get(&store, "missing").await, None);
    }

    pub async fn concurrent_transactions_for_one_key_leave_one_whole_winner(store: S) {
        store
            .put(Key::new("cfg", "x"), "c".into(), Expect::Absent)
            .await
            .unwrap();
        let racers: Vec<_> = (0..8)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    let own = |p: &str| Write::Put {
                        key: Key::new(p, format!("own-{i}")),
                        body: "x".into(),
                        expires_at: None,
                        expect: Expect::Absent,
                    };
                    let shared = Write::Put {
                        key: Key::new("b", "shared"),
                        body: format!("{i}"),
                        expires_at: None,
                        expect: Expect::Absent,
                    };
                    let guard = Write::Check {
                        key: Key::new("cfg", "x"),
                        expect: Expect::Version(1),
                    };
                    store
                        .write(vec![own("a"), shared, own("c"), guard])
                        .await
                        .is_ok()
                })
            })
            .collect();
        let mut wins = 0;
        for racer in racers {
            wins += usize::from(racer.await.unwrap());
        }
        assert_eq!(wins, 1);
        for partition in ["a", "c"] {
            let page = store.query(partition, "", None, 100).await.unwrap();
            assert_eq!(
                page.items.len(),
                1,
                "losers leave no partial writes in {partition}"
            );
        }
        assert!(store.get(&Key::new("b", "shared")).await.unwrap().is_some());
    }

    pub async fn a_batch_naming_one_key_twice_is_rejected_and_applies_nothing(store: S) {
        let e = store
            .write(vec![
                put("other", "x", Expect::Absent),
                put("twice", "a", Expect::Absent),
                del("twice", Expect::Any),
            ])
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Internal);
        assert!(get(&store, "other").await.is_none());
        assert!(get(&store, "twice").await.is_none());
    }
}
