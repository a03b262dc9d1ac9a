//! Staffing: how many agents are needed.
//!
//! * [`erlang`]: the analytic calculator behind `acdsim erlang` (Erlang C, or Erlang A with a
//!   mean patience), with shrinkage and an occupancy cap.
//! * [`search`]: the simulation search behind `acdsim staff` (minimum headcount per agent group
//!   and interval meeting every goal, at base load and at a surge factor).

pub mod erlang;
pub mod plan;
pub mod search;
