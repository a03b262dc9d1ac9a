//! The simulation: one replication of a [`crate::model::Model`] in the [`engine`] (arrivals,
//! completions, random streams, routing, the surge playbook's hooks), and many in parallel
//! ([`replicate`], run by [`simulate`]), and paired runs of variants on common random numbers
//! ([`paired`]); a run's replications split into independent [`shard`]s.

pub mod arrivals;
pub mod completions;
pub mod engine;
pub mod forecast;
pub mod guard;
pub mod paired;
pub mod playbook;
pub mod replicate;
pub mod rng;
pub mod routing;
pub mod shard;
pub mod simulate;
