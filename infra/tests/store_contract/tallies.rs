//! Tallies: counters and notes added beside an item's body.

on_every_store!(cases:
    adds_accumulate_beside_the_body_without_changing_it_or_the_version,
    an_add_to_a_missing_item_is_a_conflict_and_creates_nothing,
    a_put_keeps_the_tally_and_a_delete_removes_it,
    concurrent_adds_lose_no_count,
    an_add_in_a_failed_batch_adds_nothing,
    a_counter_name_that_is_not_letters_and_digits_is_rejected,
);

/// The cases, each on a fresh store.
#[cfg(test)]
mod cases {
    use shared::error::ErrorKind;
    use shared::ports::{Expect, Tally, Write};

    use crate::store_contract::{P, S, check, conflict, del, get, key, ok, put};

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
