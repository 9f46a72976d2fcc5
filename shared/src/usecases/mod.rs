//! The use cases: each takes the ports, the caller and validated input, applies the rules and
//! reads or writes the store. HTTP handlers and queue handlers call these and nothing deeper.
//!
//! They stand in three tiers, and a module calls only its own tier or the ones below it:
//!
//! | tier | what | may call |
//! |---|---|---|
//! | [`flows`] | what runs per event: publish, deliveries, expiry, the platform-event relay | resources, support |
//! | [`resources`] | one module per management resource, its rules and its cascade | earlier resources, support |
//! | [`support`] | listings, generations, payloads, cascade deletes, platform-event records | support |
//!
//! Inside the resources tier calls go one way: registrations ← configurations ← pairs ←
//! namespaces, channels, partner topics; endpoints (what namespaces and customer topics share)
//! ← namespaces, custom topics, channels; partner destinations ← event subscriptions ← dead
//! letters. `shared/tests/layering/` reads these sources and fails on a cycle or an upward
//! call.

pub mod flows;
pub mod resources;
pub mod support;
