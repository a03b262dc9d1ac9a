//! acdsim: a discrete-event simulator of multi-channel contact centers (ACD call routing and
//! queues). Data flows one way: [`input`] (parse + validate) -> [`model`] -> [`sim`] (the engine,
//! replications in parallel) -> [`stats`] (per-replication metrics, aggregates) -> [`report`].
//! [`analysis`] holds the analytic formulas (Erlang C, Erlang A, priority queues) the simulator
//! is validated against, the staffing search and paired comparisons.

pub mod analysis;
pub mod error;
pub mod input;
pub mod model;
pub mod report;
pub mod sim;
pub mod stats;
