//! Queries: prefixes, sort order, the exclusive `after` cursor and paging.

on_every_store!(cases:
    query_returns_only_the_prefix_in_sort_order,
    query_of_an_empty_prefix_returns_the_whole_partition,
    query_after_is_exclusive_and_need_not_be_a_stored_key,
    query_after_outside_the_prefix_range_is_honoured,
    query_pages_beyond_one_page_without_loss_or_repeat,
    query_next_is_none_when_the_last_page_is_exactly_full,
    query_fills_a_page_across_large_items,
);

/// The cases, each on a fresh store.
#[cfg(test)]
mod cases {
    use std::collections::HashSet;

    use shared::ports::{Expect, Key};

    use crate::store_contract::{P, S, ok, put, sorts};

    async fn fill(store: &S, sorts: impl IntoIterator<Item = String>) {
        for sort in sorts {
            ok(store, [put(&sort, &sort, Expect::Absent)]).await;
        }
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
}
