//! Event subscriptions on every store adapter: the per-topic limit holds however many are
//! created at once, and delivery counts are added atomically by any number of instances at
//! once without a read, removed with their subscription, and never passed on to a subscription
//! created again under the same name. Disabling a subscription is done once however many
//! disable it at once.

on_every_store!(
    cases: creations_racing_for_a_topics_last_places_never_exceed_the_limit,
    counts_from_many_instances_flushing_at_once_add_up_exactly_without_a_read,
    counts_flushed_after_their_subscription_is_deleted_are_dropped_not_inherited,
    deleting_a_subscription_removes_its_counts,
    a_subscription_stored_before_incarnations_keeps_its_counts_and_adds_to_them,
    disables_racing_for_one_subscription_disable_it_once_and_bump_its_generation_once,
);

#[cfg(test)]
pub(crate) mod cases {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use serde_json::json;
    use shared::auth::{Caller, Principal};
    use shared::error::Result;
    use shared::ids::{ResourceId, ResourceType, SubscriptionId};
    use shared::ports::{
        Attempt, Clock, DeliveryRequest, Expect, Handshake, Item, Key, Page, Ports, Store,
        SystemClock, Webhooks, Write,
    };
    use shared::subscriptions::{EventSubscription, MAX_PER_TOPIC, code as subscription_codes};
    use shared::table;
    use shared::usecases::resources::event_subscriptions;
    use shared::usecases::resources::event_subscriptions::stats::{self, LastError, Stats};
    use shared::usecases::support::generations::Endpoint;
    use shared::usecases::support::platform_events;
    use time::OffsetDateTime;

    /// Every endpoint passes the handshake.
    struct Open;

    #[async_trait::async_trait]
    impl Webhooks for Open {
        async fn handshake(&self, _url: &str) -> Result<Handshake> {
            Ok(Handshake::Allowed { rate: None })
        }
        async fn deliver(&self, _request: &DeliveryRequest) -> Attempt {
            Attempt::TimedOut
        }
    }

    /// A store that counts the reads made through it.
    struct Reads {
        inner: Arc<dyn Store>,
        reads: AtomicUsize,
    }

    #[async_trait::async_trait]
    impl Store for Reads {
        async fn get(&self, key: &Key) -> Result<Option<Item>> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            self.inner.get(key).await
        }
        async fn write(&self, writes: Vec<Write>) -> Result<()> {
            self.inner.write(writes).await
        }
        async fn query(&self, p: &str, s: &str, a: Option<&str>, l: usize) -> Result<Page> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            self.inner.query(p, s, a, l).await
        }
    }

    pub(crate) struct World {
        pub(crate) ports: Ports,
        pub(crate) owner: Caller,
        pub(crate) id: ResourceId,
    }

    pub(crate) fn world(store: Arc<dyn Store>) -> World {
        let sub = SubscriptionId(uuid::Uuid::new_v4());
        let id = platform_events::system_topic(sub)
            .unwrap()
            .child(ResourceType::EventSubscriptions, "counted")
            .unwrap();
        World {
            ports: Ports {
                store,
                clock: Arc::new(SystemClock) as Arc<dyn Clock>,
            },
            owner: Caller::Principal(Principal {
                name: "owner".into(),
                subscriptions: vec![sub],
                key_hash: String::new(),
                aws_accounts: Vec::new(),
            }),
            id,
        }
    }

    pub(crate) async fn subscribe(w: &World) -> EventSubscription {
        subscribe_as(w, &w.id).await.unwrap()
    }

    async fn subscribe_as(w: &World, id: &ResourceId) -> Result<EventSubscription> {
        let body = serde_json::from_value(json!({"properties": {"destination": {
            "endpointType": "WebHook",
            "properties": {"endpointUrl": "https://receiver.example/hook"}
        }}}))
        .unwrap();
        Ok(event_subscriptions::put(
            &w.ports,
            &shared::ports::Destinations::webhooks(std::sync::Arc::new(Open)),
            &w.owner,
            id,
            body,
        )
        .await?
        .0)
    }

    pub async fn creations_racing_for_a_topics_last_places_never_exceed_the_limit(
        store: Arc<dyn Store>,
    ) {
        let w = Arc::new(world(store));
        let topic = platform_events::system_topic(w.id.subscription).unwrap();
        let named = |name: String| {
            topic
                .child(ResourceType::EventSubscriptions, &name)
                .unwrap()
        };
        let existing: Vec<Write> = (0..MAX_PER_TOPIC - 3)
            .map(|i| {
                table::put(
                    table::resource_key(&named(format!("sub{i}"))),
                    &json!({}),
                    Expect::Absent,
                )
                .unwrap()
            })
            .collect();
        for chunk in existing.chunks(100) {
            w.ports.store.write(chunk.to_vec()).await.unwrap();
        }
        let racers: Vec<_> = (0..8)
            .map(|i| {
                let (w, id) = (w.clone(), named(format!("racer{i}")));
                tokio::spawn(async move { subscribe_as(&w, &id).await })
            })
            .collect();
        let mut created = 0;
        for racer in racers {
            match racer.await.unwrap() {
                Ok(_) => created += 1,
                Err(e) => assert_eq!(e.code, subscription_codes::TOO_MANY_SUBSCRIPTIONS, "{e}"),
            }
        }
        assert_eq!(created, 3);
        let stored = w
            .ports
            .store
            .query(
                &table::subscription_partition(w.id.subscription),
                &table::children_prefix(&topic, ResourceType::EventSubscriptions),
                None,
                1000,
            )
            .await
            .unwrap();
        assert_eq!(stored.items.len(), MAX_PER_TOPIC);
    }

    async fn counts(w: &World) -> (u64, u64, u64) {
        let s = stats::get(&w.ports, &w.owner, &w.id).await.unwrap();
        (
            s.delivered_events,
            s.failed_attempts,
            s.dead_lettered_events,
        )
    }

    fn record(stats: &Stats, subscription: &EventSubscription, at: OffsetDateTime) {
        stats.delivered(subscription, 5, at, at);
        stats.failed(
            subscription,
            LastError {
                outcome: "Busy".into(),
                http_status_code: 503,
                time_utc: at,
            },
        );
        stats.dead_lettered(subscription, 2);
    }

    pub async fn counts_from_many_instances_flushing_at_once_add_up_exactly_without_a_read(
        store: Arc<dyn Store>,
    ) {
        let w = world(store.clone());
        let subscription = subscribe(&w).await;
        let counting = Arc::new(Reads {
            inner: store,
            reads: AtomicUsize::new(0),
        });
        let ports = Ports {
            store: counting.clone(),
            clock: w.ports.clock.clone(),
        };
        let now = OffsetDateTime::now_utc();
        let flushes: Vec<_> = (0..12)
            .map(|_| {
                let (ports, subscription) = (ports.clone(), subscription.clone());
                tokio::spawn(async move {
                    let instance = Stats::default();
                    record(&instance, &subscription, now);
                    instance.flush(&ports).await
                })
            })
            .collect();
        for flush in flushes {
            flush.await.unwrap().expect("every flush lands");
        }
        assert_eq!(counting.reads.load(Ordering::SeqCst), 0, "no read to add");
        assert_eq!(counts(&w).await, (60, 12, 24));
        let shown = stats::get(&w.ports, &w.owner, &w.id).await.unwrap();
        assert_eq!(shown.last_error.unwrap().http_status_code, 503);
        assert!(shown.last_success_time_utc.is_some());
    }

    pub async fn counts_flushed_after_their_subscription_is_deleted_are_dropped_not_inherited(
        store: Arc<dyn Store>,
    ) {
        let w = world(store);
        let old = subscribe(&w).await;
        let late = Stats::default();
        record(&late, &old, OffsetDateTime::now_utc());
        event_subscriptions::delete(&w.ports, &w.owner, &w.id)
            .await
            .unwrap();
        late.flush(&w.ports).await.unwrap();
        let partition = table::delivery_stats_partition(&w.id);
        let left = w.ports.store.query(&partition, "", None, 10).await.unwrap();
        assert!(left.items.is_empty(), "no counts re-created: {left:?}");

        let new = subscribe(&w).await;
        assert_ne!(new.incarnation, old.incarnation);
        record(&late, &old, OffsetDateTime::now_utc());
        late.flush(&w.ports).await.unwrap();
        assert_eq!(
            counts(&w).await,
            (0, 0, 0),
            "the new subscription starts at zero"
        );
    }

    pub async fn deleting_a_subscription_removes_its_counts(store: Arc<dyn Store>) {
        let w = world(store);
        let subscription = subscribe(&w).await;
        let instance = Stats::default();
        record(&instance, &subscription, OffsetDateTime::now_utc());
        instance.flush(&w.ports).await.unwrap();
        assert_eq!(counts(&w).await, (5, 1, 2));
        event_subscriptions::delete(&w.ports, &w.owner, &w.id)
            .await
            .unwrap();
        let partition = table::delivery_stats_partition(&w.id);
        let left = w.ports.store.query(&partition, "", None, 10).await.unwrap();
        assert!(left.items.is_empty(), "{left:?}");
    }

    pub async fn a_subscription_stored_before_incarnations_keeps_its_counts_and_adds_to_them(
        store: Arc<dyn Store>,
    ) {
        let w = world(store);
        let mut legacy = subscribe(&w).await;
        legacy.incarnation = None;
        let key = table::resource_key(&w.id);
        let stored = w.ports.store.get(&key).await.unwrap().unwrap();
        w.ports
            .store
            .write(vec![
                table::put(key, &legacy, Expect::Version(stored.version)).unwrap(),
            ])
            .await
            .unwrap();
        let instance = Stats::default();
        record(&instance, &legacy, OffsetDateTime::now_utc());
        instance.flush(&w.ports).await.unwrap();
        assert_eq!(counts(&w).await, (5, 1, 2), "created on its first counts");

        let old_body =
            json!({"deliveredEvents": 100, "failedAttempts": 3, "deadLetteredEvents": 1});
        w.ports
            .store
            .write(vec![
                table::put(table::delivery_stats(&w.id, None), &old_body, Expect::Any).unwrap(),
            ])
            .await
            .unwrap();
        record(&instance, &legacy, OffsetDateTime::now_utc());
        instance.flush(&w.ports).await.unwrap();
        assert_eq!(
            counts(&w).await,
            (110, 5, 5),
            "old counts plus every count since"
        );
    }

    pub async fn disables_racing_for_one_subscription_disable_it_once_and_bump_its_generation_once(
        store: Arc<dyn Store>,
    ) {
        let w = Arc::new(world(store));
        subscribe(&w).await;
        let endpoint = Endpoint::SystemTopic(w.id.subscription);
        let before = endpoint.current(&w.ports).await.unwrap();
        let racers: Vec<_> = (0..6)
            .map(|_| {
                let w = w.clone();
                tokio::spawn(async move {
                    event_subscriptions::disable(&w.ports, &w.id, "EndpointGone").await
                })
            })
            .collect();
        let mut disabled = 0;
        for racer in racers {
            disabled += usize::from(racer.await.unwrap().unwrap());
        }
        assert_eq!(disabled, 1);
        assert_eq!(endpoint.current(&w.ports).await.unwrap(), before + 1);
        let stored = event_subscriptions::get(&w.ports, &w.owner, &w.id)
            .await
            .unwrap();
        assert!(stored.disabled_at.is_some());
        let gone = platform_events::system_topic(w.id.subscription)
            .unwrap()
            .child(ResourceType::EventSubscriptions, "gone")
            .unwrap();
        let disabled = event_subscriptions::disable(&w.ports, &gone, "EndpointGone").await;
        assert!(!disabled.unwrap(), "a missing subscription is not disabled");
    }
}
