//! Authorization use cases on every store adapter: concurrent changes to one partner
//! configuration all land, because lost races are retried.

on_every_store!(cases: concurrent_authorizations_of_different_partners_all_land);

#[cfg(test)]
mod cases {
    use std::sync::Arc;

    use shared::auth::{Caller, Principal};
    use shared::ids::{ResourceId, ResourceType, SubscriptionId};
    use shared::partners::configuration::PartnerInput;
    use shared::ports::{Ports, Store, SystemClock};
    use shared::resource::Body;
    use shared::usecases::resources::{configurations, registrations};

    pub async fn concurrent_authorizations_of_different_partners_all_land(store: Arc<dyn Store>) {
        let ports = Ports {
            store,
            clock: Arc::new(SystemClock),
        };
        let sub = SubscriptionId(uuid::Uuid::new_v4());
        let caller = Caller::Principal(Principal {
            name: "p".into(),
            subscriptions: vec![sub],
            key_hash: String::new(),
            aws_accounts: Vec::new(),
        });
        let mut partners = Vec::new();
        for i in 0..4 {
            let id = ResourceId::new(
                sub,
                "rg",
                ResourceType::PartnerRegistrations,
                &format!("p{i}-{}", uuid::Uuid::new_v4()),
            )
            .unwrap();
            partners.push(
                registrations::put(&ports, &caller, &id, Body::default())
                    .await
                    .unwrap()
                    .0
                    .immutable_id,
            );
        }
        let config =
            ResourceId::new(sub, "rg", ResourceType::PartnerConfigurations, "default").unwrap();
        configurations::put(&ports, &caller, &config, Body::default())
            .await
            .unwrap();
        let tasks: Vec<_> = partners
            .iter()
            .map(|id| {
                let (ports, caller, config) = (ports.clone(), caller.clone(), config.clone());
                let input = PartnerInput {
                    partner_registration_immutable_id: Some(*id),
                    ..Default::default()
                };
                tokio::spawn(async move {
                    configurations::authorize_partner(&ports, &caller, &config, input).await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        let listed = configurations::get(&ports, &caller, &config).await.unwrap();
        assert_eq!(
            listed.authorized_partners.len(),
            partners.len(),
            "every concurrent authorization landed"
        );
    }
}
