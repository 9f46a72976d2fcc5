//! What runs per event rather than per management call: publishing, delivering, expiring
//! unactivated pairs and relaying platform events. Flows call resources and support; nothing
//! calls a flow but the function handlers.

pub mod deliveries;
pub mod expiry;
pub mod publish;
pub mod relay;
