//! The delivery log on every store adapter: entries written in several flushes are listed for
//! one event or all, oldest first, page by page (pages that end inside a flushed item too), and
//! not past their retention.

on_every_store!(
    cases: an_events_attempts_are_listed_across_flushes_oldest_first_page_by_page,
    entries_past_their_retention_are_not_listed,
);

#[cfg(test)]
mod cases {
    use std::sync::Arc;

    use shared::auth::{Caller, Principal};
    use shared::delivery::log::{Entry, ms};
    use shared::ids::{ResourceId, ResourceType, SubscriptionId};
    use shared::ports::{Clock, Destinations, ManualClock, Ports, Store};
    use shared::usecases::flows::deliveries::DeliveryLog;
    use shared::usecases::resources::event_subscriptions::{self, delivery_log};
    use shared::usecases::support::listing::PageRequest;
    use shared::usecases::support::platform_events;
    use time::{Duration, OffsetDateTime};

    struct World {
        ports: Ports,
        clock: Arc<ManualClock>,
        owner: Caller,
        id: ResourceId,
    }

    async fn world(store: Arc<dyn Store>) -> World {
        let sub = SubscriptionId(uuid::Uuid::new_v4());
        let id = platform_events::system_topic(sub)
            .unwrap()
            .child(ResourceType::EventSubscriptions, "logged")
            .unwrap();
        let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
        let w = World {
            ports: Ports {
                store,
                clock: clock.clone() as Arc<dyn Clock>,
            },
            clock,
            owner: Caller::Principal(Principal {
                name: "owner".into(),
                subscriptions: vec![sub],
                key_hash: String::new(),
                aws_accounts: Vec::new(),
            }),
            id,
        };
        event_subscriptions::put(&w.ports, &destinations(), &w.owner, &w.id, subscription())
            .await
            .unwrap();
        w
    }

    fn subscription() -> shared::resource::Body<shared::subscriptions::SubscriptionInput> {
        serde_json::from_value(serde_json::json!({"properties": {"destination": {
            "endpointType": "WebHook",
            "properties": {"endpointUrl": "https://receiver.example/hook"}
        }}}))
        .unwrap()
    }

    fn destinations() -> Destinations {
        Destinations::webhooks(Arc::new(Open))
    }

    /// Every endpoint passes the handshake.
    struct Open;

    #[async_trait::async_trait]
    impl shared::ports::Webhooks for Open {
        async fn handshake(&self, _url: &str) -> shared::error::Result<shared::ports::Handshake> {
            Ok(shared::ports::Handshake::Allowed { rate: None })
        }
        async fn deliver(&self, _r: &shared::ports::DeliveryRequest) -> shared::ports::Attempt {
            shared::ports::Attempt::TimedOut
        }
    }

    fn entry(event: &str, count: u32, at: OffsetDateTime) -> Entry {
        Entry {
            event_id: event.into(),
            delivery_count: count,
            at_ms: ms(at),
            outcome: None,
            status: 200,
            duration_ms: 3,
            body: None,
            retry_at_ms: None,
            dead_letter_reason: None,
        }
    }

    async fn list(w: &World, event: Option<&str>, top: usize) -> Vec<(String, u32)> {
        let mut seen = Vec::new();
        let mut token = None;
        loop {
            let query = delivery_log::Query {
                event_id: event.map(str::to_owned),
                since: None,
                page: PageRequest {
                    top: Some(top),
                    skip_token: token.take(),
                },
            };
            let page = delivery_log::list(&w.ports, &w.owner, &w.id, &query)
                .await
                .unwrap();
            assert!(page.items.len() <= top);
            seen.extend(
                page.items
                    .into_iter()
                    .map(|e| (e.event_id.to_string(), e.delivery_count)),
            );
            match page.skip_token {
                Some(next) => token = Some(next),
                None => return seen,
            }
        }
    }

    pub async fn an_events_attempts_are_listed_across_flushes_oldest_first_page_by_page(
        store: Arc<dyn Store>,
    ) {
        let w = world(store).await;
        let log = DeliveryLog::default();
        let sub = w.id.to_string();
        for round in 1..=3u32 {
            let now = w.clock.now();
            log.note(&sub, ["a", "b", "c"].map(|e| entry(e, round, now)));
            log.flush(&w.ports).await.unwrap();
            w.clock.advance(Duration::seconds(10));
        }
        let b = list(&w, Some("b"), 100).await;
        assert_eq!(b, vec![("b".into(), 1), ("b".into(), 2), ("b".into(), 3)]);
        let one_by_one = list(&w, Some("b"), 1).await;
        assert_eq!(one_by_one, b, "pages of one");
        let all = list(&w, None, 2).await;
        assert_eq!(all.len(), 9, "{all:?}");
        let counts: Vec<u32> = all.iter().map(|(_, n)| *n).collect();
        assert_eq!(counts, vec![1, 1, 1, 2, 2, 2, 3, 3, 3], "oldest first");
    }

    pub async fn entries_past_their_retention_are_not_listed(store: Arc<dyn Store>) {
        let w = world(store).await;
        let log = DeliveryLog::new(1);
        let now = w.clock.now();
        log.note(&w.id.to_string(), [entry("old", 1, now)]);
        log.flush(&w.ports).await.unwrap();
        assert_eq!(list(&w, Some("old"), 10).await.len(), 1);
        w.clock.advance(Duration::days(1) + Duration::seconds(1));
        assert!(list(&w, Some("old"), 10).await.is_empty());
    }
}
