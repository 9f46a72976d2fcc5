//! What runs per event rather than per management call: publishing, delivering, expiring
//! unactivated pairs and relaying platform events. Flows call resources, support and (a delivery
//! relaying the platform events it recorded) each other; no resource or support module calls a
//! flow.

pub mod deliveries;
pub mod expiry;
pub mod publish;
pub mod relay;
