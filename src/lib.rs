//! acdsim: a discrete-event simulator of multi-channel contact centers (ACD call routing and
//! queues). Data flows one way: [`scenario`] (parse + validate) -> [`model`] -> [`engine`] (one
//! replication) -> [`stats`] (per-replication metrics, aggregates) -> [`report`].
//! [`simulate`] runs the replications in parallel; [`queueing`] holds the analytic formulas
//! (Erlang C, Erlang A, priority queues) the simulator is validated against.

pub mod arrivals;
pub mod cli;
pub mod compare;
pub mod completions;
pub mod dist;
pub mod engine;
pub mod error;
pub mod forecast;
pub mod model;
pub mod playbook;
pub mod queueing;
pub mod replicate;
pub mod report;
pub mod rng;
pub mod routing;
pub mod scenario;
pub mod simulate;
pub mod staffing;
pub mod stats;
