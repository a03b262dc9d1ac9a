//! Input files: the scenario file ([`scenario`]: its raw serde form, loading and resolving it into
//! a [`crate::model::Model`]) and the forecast CSV ([`forecast`]).

pub mod forecast;
pub mod scenario;
