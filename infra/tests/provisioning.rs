//! Provisioning use cases on every store adapter (embedded, and DynamoDB on the emulator) with a
//! manual clock: races for one topic name, the sweeper, and the children listings.

on_every_store!(
    cases: racing_channels_for_one_topic_name_leave_exactly_one_pair,
    the_sweeper_removes_every_record_of_an_expired_pair_and_nothing_else,
    a_namespace_lists_only_its_own_channels,
    a_namespace_deleted_while_channels_are_created_leaves_no_pair_behind,
);

#[cfg(test)]
mod cases {
    use std::sync::Arc;

    use serde_json::json;
    use shared::auth::{Caller, Principal};
    use shared::error::ErrorKind;
    use shared::ids::{ResourceId, ResourceType, SubscriptionId};
    use shared::partners::configuration::PartnerInput;
    use shared::ports::{Clock, ManualClock, Ports, Store};
    use shared::resource::Body;
    use shared::table;
    use shared::usecases::flows::expiry;
    use shared::usecases::resources::{
        channels, configurations, endpoints, namespaces, partner_topics, registrations,
    };
    use shared::usecases::support::listing::PageRequest;
    use time::{Duration, OffsetDateTime};

    struct World {
        ports: Ports,
        clock: Arc<ManualClock>,
        partner: Caller,
        customer: Caller,
        partner_sub: SubscriptionId,
        customer_sub: SubscriptionId,
        registration: ResourceId,
    }

    fn caller(sub: SubscriptionId) -> Caller {
        Caller::Principal(Principal {
            name: sub.to_string(),
            subscriptions: vec![sub],
            key_hash: String::new(),
            aws_accounts: Vec::new(),
        })
    }

    async fn world(store: Arc<dyn Store>) -> World {
        let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
        let ports = Ports {
            store,
            clock: clock.clone() as Arc<dyn Clock>,
        };
        let (partner_sub, customer_sub) = (
            SubscriptionId(uuid::Uuid::new_v4()),
            SubscriptionId(uuid::Uuid::new_v4()),
        );
        let (partner, customer) = (caller(partner_sub), caller(customer_sub));
        let registration = ResourceId::new(
            partner_sub,
            "rg",
            ResourceType::PartnerRegistrations,
            &format!("reg-{}", uuid::Uuid::new_v4()),
        )
        .unwrap();
        let (reg, _) = registrations::put(&ports, &partner, &registration, Body::default())
            .await
            .unwrap();
        let config = ResourceId::new(
            customer_sub,
            "rg",
            ResourceType::PartnerConfigurations,
            "default",
        )
        .unwrap();
        configurations::put(&ports, &customer, &config, Body::default())
            .await
            .unwrap();
        let authorize = PartnerInput {
            partner_registration_immutable_id: Some(reg.immutable_id),
            ..Default::default()
        };
        configurations::authorize_partner(&ports, &customer, &config, authorize)
            .await
            .unwrap();
        World {
            ports,
            clock,
            partner,
            customer,
            partner_sub,
            customer_sub,
            registration,
        }
    }

    impl World {
        async fn namespace(&self, name: &str) -> ResourceId {
            let id = ResourceId::new(
                self.partner_sub,
                "rg",
                ResourceType::PartnerNamespaces,
                name,
            )
            .unwrap();
            let body = serde_json::from_value(json!({"properties": {"partnerRegistrationFullyQualifiedId": self.registration.to_string()}})).unwrap();
            namespaces::put(&self.ports, &self.partner, &id, body)
                .await
                .unwrap();
            id
        }

        fn channel_body(
            &self,
            topic: &str,
            source: &str,
            deadline: Option<OffsetDateTime>,
        ) -> Body<shared::provisioning::channel::ChannelInput> {
            let mut props = json!({"channelType": "PartnerTopic", "partnerTopicInfo": {
                "azureSubscriptionId": self.customer_sub.to_string(), "resourceGroupName": "rg", "name": topic, "source": source
            }});
            if let Some(d) = deadline {
                props["expirationTimeIfNotActivatedUtc"] = json!(shared::time_format::rfc3339(d));
            }
            serde_json::from_value(json!({ "properties": props })).unwrap()
        }

        async fn count(&self, partition: &str, prefix: &str) -> usize {
            self.ports
                .store
                .query(partition, prefix, None, 1000)
                .await
                .unwrap()
                .items
                .len()
        }
    }

    pub async fn racing_channels_for_one_topic_name_leave_exactly_one_pair(store: Arc<dyn Store>) {
        let w = Arc::new(world(store).await);
        let ns = w.namespace(&format!("ns-{}", uuid::Uuid::new_v4())).await;
        let racers: Vec<_> = (0..8)
            .map(|i| {
                let (w, ns) = (w.clone(), ns.clone());
                tokio::spawn(async move {
                    let id = ns
                        .child(ResourceType::Channels, &format!("racer-{i}"))
                        .unwrap();
                    channels::put(
                        &w.ports,
                        &w.partner,
                        &id,
                        w.channel_body("contested", &format!("source-{i}"), None),
                    )
                    .await
                })
            })
            .collect();
        let mut winners = 0;
        for racer in racers {
            match racer.await.unwrap() {
                Ok(_) => winners += 1,
                Err(e) => assert_eq!(e.kind, ErrorKind::Conflict, "{e}"),
            }
        }
        assert_eq!(winners, 1);
        let partner_partition = table::subscription_partition(w.partner_sub);
        assert_eq!(
            w.count(
                &partner_partition,
                &table::children_prefix(&ns, ResourceType::Channels)
            )
            .await,
            1,
            "no orphan channel"
        );
        let source_partition = format!("channelSource#{}", ns.name().to_lowercase());
        assert_eq!(
            w.count(&source_partition, "").await,
            1,
            "no orphan source entry"
        );
        assert_eq!(
            w.count(table::ACTIVATION_DEADLINES, "").await,
            1,
            "no orphan deadline"
        );
        let topic = ResourceId::new(
            w.customer_sub,
            "rg",
            ResourceType::PartnerTopics,
            "contested",
        )
        .unwrap();
        let topic = partner_topics::get(&w.ports, &w.customer, &topic)
            .await
            .unwrap();
        assert!(
            channels::get(&w.ports, &w.partner, &topic.channel)
                .await
                .is_ok(),
            "the topic belongs to the winning channel"
        );
    }

    pub async fn the_sweeper_removes_every_record_of_an_expired_pair_and_nothing_else(
        store: Arc<dyn Store>,
    ) {
        let w = world(store).await;
        let ns = w.namespace(&format!("ns-{}", uuid::Uuid::new_v4())).await;
        let now = w.clock.now();
        let brief = ns.child(ResourceType::Channels, "brief").unwrap();
        let kept = ns.child(ResourceType::Channels, "kept").unwrap();
        let later = ns.child(ResourceType::Channels, "later").unwrap();
        channels::put(
            &w.ports,
            &w.partner,
            &brief,
            w.channel_body("brief-topic", "s1", Some(now + Duration::hours(1))),
        )
        .await
        .unwrap();
        channels::put(
            &w.ports,
            &w.partner,
            &kept,
            w.channel_body("kept-topic", "s2", Some(now + Duration::hours(1))),
        )
        .await
        .unwrap();
        channels::put(
            &w.ports,
            &w.partner,
            &later,
            w.channel_body("later-topic", "s3", Some(now + Duration::days(3))),
        )
        .await
        .unwrap();
        let kept_topic = ResourceId::new(
            w.customer_sub,
            "rg",
            ResourceType::PartnerTopics,
            "kept-topic",
        )
        .unwrap();
        partner_topics::set_activation(
            &w.ports,
            &w.customer,
            &kept_topic,
            shared::provisioning::topic::Activation::Activate,
        )
        .await
        .unwrap();

        assert_eq!(
            expiry::sweep(&w.ports, 100).await.unwrap(),
            0,
            "nothing is due yet"
        );
        w.clock.advance(Duration::hours(2));
        assert_eq!(expiry::sweep(&w.ports, 100).await.unwrap(), 1);
        let store = w.ports.store.as_ref();
        let brief_topic = ResourceId::new(
            w.customer_sub,
            "rg",
            ResourceType::PartnerTopics,
            "brief-topic",
        )
        .unwrap();
        assert!(
            store
                .get(&table::resource_key(&brief))
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .get(&table::resource_key(&brief_topic))
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .get(&table::channel_source(ns.name(), "s1"))
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(
            w.count(table::ACTIVATION_DEADLINES, "").await,
            1,
            "only the later deadline is left"
        );
        assert!(
            partner_topics::get(&w.ports, &w.customer, &kept_topic)
                .await
                .is_ok()
        );
        assert!(channels::get(&w.ports, &w.partner, &later).await.is_ok());
        assert_eq!(
            expiry::sweep(&w.ports, 100).await.unwrap(),
            0,
            "sweeping again finds nothing"
        );
    }

    pub async fn a_namespace_lists_only_its_own_channels(store: Arc<dyn Store>) {
        let w = world(store).await;
        let suffix = &uuid::Uuid::new_v4().to_string()[..8];
        let a = w.namespace(&format!("ns-{suffix}")).await;
        let ab = w.namespace(&format!("ns-{suffix}b")).await;
        channels::put(
            &w.ports,
            &w.partner,
            &a.child(ResourceType::Channels, "in-a").unwrap(),
            w.channel_body("topic-a", "sa", None),
        )
        .await
        .unwrap();
        channels::put(
            &w.ports,
            &w.partner,
            &ab.child(ResourceType::Channels, "in-ab").unwrap(),
            w.channel_body("topic-ab", "sb", None),
        )
        .await
        .unwrap();
        let listed = channels::list(&w.ports, &w.partner, &a, &PageRequest::default())
            .await
            .unwrap();
        let names: Vec<&str> = listed.items.iter().map(|c| c.id.name()).collect();
        assert_eq!(names, ["in-a"]);
        let listed = endpoints::list::<shared::provisioning::namespace::PartnerNamespace>(
            &w.ports,
            &w.partner,
            &shared::usecases::support::listing::Scope {
                subscription: w.partner_sub,
                resource_group: Some("RG".into()),
            },
            &PageRequest::default(),
        )
        .await
        .unwrap();
        assert_eq!(listed.items.len(), 2);
    }

    pub async fn a_namespace_deleted_while_channels_are_created_leaves_no_pair_behind(
        store: Arc<dyn Store>,
    ) {
        let w = Arc::new(world(store).await);
        let ns = w.namespace(&format!("ns-{}", uuid::Uuid::new_v4())).await;
        let creators: Vec<_> = (0..6)
            .map(|i| {
                let (w, ns) = (w.clone(), ns.clone());
                tokio::spawn(async move {
                    let id = ns
                        .child(ResourceType::Channels, &format!("late-{i}"))
                        .unwrap();
                    let _ = channels::put(
                        &w.ports,
                        &w.partner,
                        &id,
                        w.channel_body(&format!("late-topic-{i}"), &format!("s{i}"), None),
                    )
                    .await;
                })
            })
            .collect();
        let deleter = {
            let (w, ns) = (w.clone(), ns.clone());
            tokio::spawn(
                async move { namespaces::delete(&w.ports, &w.partner, &ns).await.unwrap() },
            )
        };
        for c in creators {
            c.await.unwrap();
        }
        deleter.await.unwrap();
        let partner_partition = table::subscription_partition(w.partner_sub);
        assert_eq!(
            w.count(
                &partner_partition,
                &table::children_prefix(&ns, ResourceType::Channels)
            )
            .await,
            0,
            "no channel outlives its namespace"
        );
        let customer_partition = table::subscription_partition(w.customer_sub);
        assert_eq!(
            w.count(&customer_partition, "partnerTopics#").await,
            0,
            "no topic outlives its channel"
        );
    }
}
