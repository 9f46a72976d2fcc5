//! The `Store` contract: every case runs against every adapter, each on a fresh store
//! (embedded: a new temporary directory; DynamoDB: a new uniquely named table on the emulator
//! at `PARTNER_EVENTS_TEST_AWS_ENDPOINT`).

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
    an_empty_batch_succeeds,
    a_batch_applies_every_write,
    a_batch_of_max_writes_applies_every_write,
    a_batch_of_more_than_max_writes_is_rejected_and_applies_nothing,
    a_failed_condition_in_a_batch_applies_no_write,
    check_write_guards_a_batch,
    a_check_alone_changes_nothing_and_reports_its_condition,
    query_returns_only_the_prefix_in_sort_order,
    query_of_an_empty_prefix_returns_the_whole_partition,
    query_after_is_exclusive_and_need_not_be_a_stored_key,
    query_after_outside_the_prefix_range_is_honoured,
    query_pages_beyond_one_page_without_loss_or_repeat,
    query_next_is_none_when_the_last_page_is_exactly_full,
    query_fills_a_page_across_large_items,
    concurrent_versioned_writers_exactly_one_wins,
    concurrent_transactions_for_one_key_leave_one_whole_winner,
    a_batch_naming_one_key_twice_is_rejected_and_applies_nothing,
    adds_accumulate_beside_the_body_without_changing_it_or_the_version,
    an_add_to_a_missing_item_is_a_conflict_and_creates_nothing,
    a_put_keeps_the_tally_and_a_delete_removes_it,
    concurrent_adds_lose_no_count,
    an_add_in_a_failed_batch_adds_nothing,
    an_exists_expectation_holds_only_while_the_item_is_there,
    a_counter_name_that_is_not_letters_and_digits_is_rejected,
);

/// The cases, each on a fresh store.
#[cfg(test)]
mod cases {
    use std::collections::HashSet;
    use std::sync::Arc;

    use shared::error::{ErrorKind, code};
    use shared::ports::{Expect, Item, Key, MAX_WRITES, Store, Tally, Write};

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

    fn add(sort: &str, counts: &[(&str, u64)], notes: &[(&str, &str)]) -> Write {
        Write::Add {
            key: key(sort),
            counts: counts.iter().map(|(n, c)| (n.to_string(), *c)).collect(),
            notes: notes
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        }
    }

    async fn tally(store: &S, sort: &str) -> Tally {
        get(store, sort).await.expect("the item").tally
    }

    fn counts(pairs: &[(&str, u64)]) -> std::collections::BTreeMap<String, u64> {
        pairs.iter().map(|(n, c)| (n.to_string(), *c)).collect()
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

    async fn fill(store: &S, sorts: impl IntoIterator<Item = String>) {
        for sort in sorts {
            ok(store, [put(&sort, &sort, Expect::Absent)]).await;
        }
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

    async fn all_pages(store: &S, prefix: &str, limit: usize) -> Vec<Vec<String>> {
        let (mut pages, mut after) = (Vec::new(), None);
        loop {
            let (page, next) = sorts(store, prefix, after.as_deref(), limit).await;
            pages.push(page);
            match next {
                Some(next) => after = Some(next),
                None => return pages,
            }
        }
    }

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

    pub async fn query_returns_only_the_prefix_in_sort_order(store: S) {
        let inside = ["p/1", "p/10", "p/2", "p/B", "p/a", "p/é", "p/z", "p/"];
        let outside = ["p", "o/1", "q/1", "P/1", "pp/1"];
        fill(&store, inside.iter().chain(&outside).map(|s| s.to_string())).await;
        store
            .put(Key::new("tenant-2", "p/3"), "x".into(), Expect::Any)
            .await
            .unwrap();
        let page = store.query(P, "p/", None, 100).await.unwrap();
        let got: Vec<&str> = page.items.iter().map(|i| i.key.sort.as_str()).collect();
        let mut want = inside.to_vec();
        want.sort();
        assert_eq!((got, page.next.as_deref()), (want, None));
        assert!(
            page.items
                .iter()
                .all(|i| i.key.partition == P && i.body == i.key.sort && i.version == 1)
        );
    }

    pub async fn query_of_an_empty_prefix_returns_the_whole_partition(store: S) {
        fill(&store, ["b", "a", "c/1"].map(String::from)).await;
        store
            .put(Key::new("tenant-2", "a"), "x".into(), Expect::Any)
            .await
            .unwrap();
        assert_eq!(
            all_pages(&store, "", 2).await,
            [vec!["a", "b"], vec!["c/1"]]
        );
        assert!(
            store
                .query("tenant-3", "", None, 10)
                .await
                .unwrap()
                .items
                .is_empty()
        );
    }

    pub async fn query_after_is_exclusive_and_need_not_be_a_stored_key(store: S) {
        fill(&store, ["x/a", "x/b", "x/c", "x/d"].map(String::from)).await;
        assert_eq!(sorts(&store, "x/", Some("x/b"), 10).await.0, ["x/c", "x/d"]);
        assert_eq!(
            sorts(&store, "x/", Some("x/bb"), 10).await.0,
            ["x/c", "x/d"]
        );
        assert_eq!(sorts(&store, "x/", Some("x/d"), 10).await, (vec![], None));
        assert_eq!(
            sorts(&store, "x/", Some("x/"), 10).await.0,
            ["x/a", "x/b", "x/c", "x/d"]
        );
    }

    pub async fn query_after_outside_the_prefix_range_is_honoured(store: S) {
        fill(&store, ["a", "x/a", "x/b", "z"].map(String::from)).await;
        assert_eq!(
            sorts(&store, "x/", Some("b"), 10).await,
            (vec!["x/a".into(), "x/b".into()], None)
        );
        assert_eq!(sorts(&store, "x/", Some("y"), 10).await, (vec![], None));
    }

    pub async fn query_pages_beyond_one_page_without_loss_or_repeat(store: S) {
        fill(&store, (0..250).map(|i| format!("e/{i:04}"))).await;
        fill(&store, (0..5).map(|i| format!("f/{i}"))).await;
        let pages = all_pages(&store, "e/", 100).await;
        assert_eq!(
            pages.iter().map(Vec::len).collect::<Vec<_>>(),
            [100, 100, 50]
        );
        let all: Vec<String> = pages.concat();
        assert_eq!(
            all,
            (0..250).map(|i| format!("e/{i:04}")).collect::<Vec<_>>()
        );
        assert_eq!(all.iter().collect::<HashSet<_>>().len(), 250);
    }

    pub async fn query_next_is_none_when_the_last_page_is_exactly_full(store: S) {
        fill(&store, (0..6).map(|i| format!("n/{i}"))).await;
        let (full, next) = sorts(&store, "n/", None, 6).await;
        assert_eq!((full.len(), next), (6, None));
        let (short, next) = sorts(&store, "n/", None, 5).await;
        assert_eq!((short.len(), next.as_deref()), (5, Some("n/4")));
        assert_eq!(
            all_pages(&store, "n/", 3)
                .await
                .iter()
                .map(Vec::len)
                .collect::<Vec<_>>(),
            [3, 3]
        );
        assert_eq!(all_pages(&store, "n/", 1).await.len(), 6);
    }

    pub async fn query_fills_a_page_across_large_items(store: S) {
        let body = "y".repeat(150_000);
        for i in 0..16 {
            ok(&store, [put(&format!("l/{i:02}"), &body, Expect::Absent)]).await;
        }
        let first = store.query(P, "l/", None, 12).await.unwrap();
        assert_eq!(
            (first.items.len(), first.next.as_deref()),
            (12, Some("l/11"))
        );
        assert!(first.items.iter().all(|i| i.body == body));
        let rest = sorts(&store, "l/", first.next.as_deref(), 12).await;
        assert_eq!((rest.0.len(), rest.1), (4, None));
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

    pub async fn adds_accumulate_beside_the_body_without_changing_it_or_the_version(store: S) {
        ok(&store, [put("a", "{}", Expect::Absent)]).await;
        ok(
            &store,
            [add(
                "a",
                &[("delivered", 3), ("failed", 1)],
                &[("last", "x")],
            )],
        )
        .await;
        ok(&store, [add("a", &[("delivered", 2)], &[("last", "y")])]).await;
        let item = get(&store, "a").await.unwrap();
        assert_eq!((item.version, item.body.as_str()), (1, "{}"));
        assert_eq!(
            item.tally.counts,
            counts(&[("delivered", 5), ("failed", 1)])
        );
        assert_eq!(item.tally.notes.get("last").map(String::as_str), Some("y"));
        let page = store.query(P, "a", None, 10).await.unwrap();
        assert_eq!(
            page.items[0].tally, item.tally,
            "a query reads the tally too"
        );
    }

    pub async fn an_add_to_a_missing_item_is_a_conflict_and_creates_nothing(store: S) {
        conflict(&store, [add("gone", &[("delivered", 1)], &[])]).await;
        conflict(&store, [add("gone", &[], &[("last", "x")])]).await;
        assert_eq!(get(&store, "gone").await, None);
    }

    pub async fn a_put_keeps_the_tally_and_a_delete_removes_it(store: S) {
        ok(&store, [put("a", "1", Expect::Absent)]).await;
        ok(&store, [add("a", &[("delivered", 7)], &[])]).await;
        ok(&store, [put("a", "2", Expect::Version(1))]).await;
        assert_eq!(tally(&store, "a").await.counts, counts(&[("delivered", 7)]));
        ok(&store, [del("a", Expect::Any)]).await;
        ok(&store, [put("a", "3", Expect::Absent)]).await;
        assert_eq!(tally(&store, "a").await, Tally::default());
    }

    pub async fn concurrent_adds_lose_no_count(store: S) {
        ok(&store, [put("n", "{}", Expect::Absent)]).await;
        let adders: Vec<_> = (0..16)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move {
                    for _ in 0..5 {
                        store
                            .write(vec![add("n", &[("delivered", 2)], &[])])
                            .await
                            .unwrap();
                    }
                })
            })
            .collect();
        for adder in adders {
            adder.await.unwrap();
        }
        assert_eq!(
            tally(&store, "n").await.counts,
            counts(&[("delivered", 160)])
        );
    }

    pub async fn an_add_in_a_failed_batch_adds_nothing(store: S) {
        ok(&store, [put("n", "{}", Expect::Absent)]).await;
        conflict(
            &store,
            [
                add("n", &[("delivered", 1)], &[]),
                check("guard", Expect::Exists),
            ],
        )
        .await;
        assert_eq!(tally(&store, "n").await, Tally::default());
    }

    pub async fn an_exists_expectation_holds_only_while_the_item_is_there(store: S) {
        conflict(&store, [check("a", Expect::Exists)]).await;
        ok(&store, [put("a", "1", Expect::Absent)]).await;
        ok(&store, [check("a", Expect::Exists)]).await;
        ok(&store, [put("a", "2", Expect::Exists)]).await;
        ok(&store, [del("a", Expect::Exists)]).await;
        conflict(&store, [del("a", Expect::Exists)]).await;
    }

    pub async fn a_counter_name_that_is_not_letters_and_digits_is_rejected(store: S) {
        ok(&store, [put("a", "{}", Expect::Absent)]).await;
        let err = store
            .write(vec![add("a", &[("no-dash", 1)], &[])])
            .await
            .expect_err("a bad name");
        assert_eq!(err.kind, ErrorKind::Internal, "{err}");
        assert_eq!(tally(&store, "a").await, Tally::default());
    }
}
