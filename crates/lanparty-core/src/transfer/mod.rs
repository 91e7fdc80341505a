//! Downloads: fetching a game's chunks from every peer that has it, verifying each.
//!
//! # Layout
//!
//! - [`plan`]: the pure planner that decides which chunk to ask which peer for.
//! - [`verify`]: choosing a manifest by plurality and checking one received from the network.

pub mod plan;
pub mod verify;
