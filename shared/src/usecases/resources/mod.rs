//! One module per management resource: its reads and writes, its rules and what deleting it
//! takes with it. A resource calls support modules and, to check what it hangs under, the
//! resources before it in the order `usecases` states; never a flow.

pub mod channels;
pub mod configurations;
pub mod custom_topics;
pub mod dead_letters;
pub mod endpoints;
pub mod event_subscriptions;
pub mod namespaces;
pub mod pairs;
pub mod partner_destinations;
pub mod partner_topics;
pub mod principals;
pub mod registrations;
pub mod verified_partners;
