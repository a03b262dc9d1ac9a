//! Analysis on top of the simulation: queueing theory ([`queueing`]), staffing ([`staffing`]) and
//! paired comparisons of variants ([`compare`]).

pub mod check;
pub mod compare;
pub mod queueing;
pub mod roster;
pub mod select;
pub mod staffing;
pub mod sweep;
