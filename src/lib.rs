//! acdsim: a discrete-event simulator of multi-channel contact centers (ACD call routing and
//! queues). Data flows one way: a scenario file is read and checked by [`input`] into the
//! validated [`model`], which [`sim`] runs (one replication in its engine, many in parallel),
//! [`stats`] measures per replication and aggregates, [`analysis`] judges (queueing theory,
//! staffing, paired comparisons, the CI gate) and [`report`] writes (tables, JSON, CSV, plots).
//! The command line is the binary's (`src/main.rs`, module `cli`), above all of them.
//!
//! # Layers
//!
//! The top-level modules are layers, lowest first:
//!
//! ```text
//! error < model < input = stats < sim < analysis < report < cli (the binary)
//! ```
//!
//! A module may import only from its own layer or from lower ones: never upward, and not
//! between `input` and `stats`, which share a rank but know nothing of each other. No two files
//! import each other, except a folder's `mod.rs` and the files it declares (a module's face:
//! re-exports and dispatch over its children). `tests/architecture.rs` reads every file's
//! imports and fails on a break of either rule; ARCHITECTURE.md says why the layers are these.

pub mod analysis;
pub mod error;
pub mod input;
pub mod model;
pub mod report;
pub mod sim;
pub mod stats;
