//! Downloads: fetching a game's chunks from every peer that has it, verifying each.
//!
//! # Layout
//!
//! - [`plan`]: the pure planner that decides which chunk to ask which peer for.

pub mod plan;
