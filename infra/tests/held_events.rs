//! Held events on every store adapter: a resume sends a backlog back a page at a time, the
//! rest through release messages on the delivery queue, oldest first, and removes what it sent.

on_every_store!(
    cases: a_large_backlog_is_released_a_page_at_a_time_through_release_messages,
);

#[cfg(test)]
mod cases {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use shared::delivery::Message;
    use shared::ids::{ResourceId, ResourceType, SubscriptionId};
    use shared::ports::{Expect, Key, Queue, Received, Store, Write};
    use shared::table;
    use shared::usecases::resources::event_subscriptions::pause::{self, PAGES_PER_CALL};
    use shared::usecases::support::platform_events;
    use time::OffsetDateTime;

    /// A queue that keeps what is sent to it.
    #[derive(Default)]
    struct Sent(Mutex<Vec<String>>);

    #[async_trait::async_trait]
    impl Queue for Sent {
        async fn send(&self, bodies: Vec<String>, _: Duration) -> shared::Result<()> {
            self.0.lock().unwrap().extend(bodies);
            Ok(())
        }
        async fn receive(
            &self,
            _: usize,
            _: Duration,
            _: Duration,
        ) -> shared::Result<Vec<Received>> {
            Ok(Vec::new())
        }
        async fn ack(&self, _: &[String]) -> shared::Result<()> {
            Ok(())
        }
    }

    impl Sent {
        fn take(&self) -> Vec<String> {
            std::mem::take(&mut self.0.lock().unwrap())
        }
    }

    pub async fn a_large_backlog_is_released_a_page_at_a_time_through_release_messages(
        store: Arc<dyn Store>,
    ) {
        let ports = shared::ports::Ports {
            store: store.clone(),
            clock: Arc::new(shared::ports::SystemClock),
        };
        let sub = SubscriptionId(uuid::Uuid::new_v4());
        let id: ResourceId = platform_events::system_topic(sub)
            .unwrap()
            .child(ResourceType::EventSubscriptions, "paused")
            .unwrap();
        let held = PAGES_PER_CALL * 100 + 50;
        let start = OffsetDateTime::now_utc();
        let writes: Vec<Write> = (0..held)
            .map(|i| Write::Put {
                key: Key::new(
                    table::held_partition(&id),
                    table::time_ordered(start + time::Duration::milliseconds(i as i64)),
                ),
                body: format!("batch {i:05}"),
                expires_at: None,
                expect: Expect::Absent,
            })
            .collect();
        for chunk in writes.chunks(100) {
            store.write(chunk.to_vec()).await.unwrap();
        }
        let queue = Sent::default();
        let sent = pause::release(&ports, &queue, &id).await.unwrap();
        assert_eq!(sent, PAGES_PER_CALL * 100);
        let mut first = queue.take();
        let release = first.pop().unwrap();
        assert!(
            matches!(Message::parse(&release).unwrap(), Message::Release { subscription } if subscription == id.to_string()),
            "{release}"
        );
        let expected: Vec<String> = (0..sent).map(|i| format!("batch {i:05}")).collect();
        assert_eq!(first, expected, "oldest first");

        assert_eq!(pause::release(&ports, &queue, &id).await.unwrap(), 50);
        let rest = queue.take();
        assert_eq!(rest.len(), 50, "no release message once everything is sent");
        assert_eq!(rest[0], format!("batch {sent:05}"));
        let left = store
            .query(&table::held_partition(&id), "", None, 10)
            .await
            .unwrap();
        assert!(left.items.is_empty());
    }
}
