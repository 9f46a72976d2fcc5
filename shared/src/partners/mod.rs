//! The partner side of the trust: registrations a partner owns, verified partners the operator
//! vouches for, and the partner configurations in which customers authorize partners.

pub mod configuration;
pub mod registration;
pub mod verified;
