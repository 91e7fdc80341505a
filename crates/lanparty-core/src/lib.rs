//! The headless Lanparty peer runtime.
//!
//! Everything a Lanparty machine knows and does lives here, with no dependency on a user
//! interface: the desktop app and the `lanparty-peer` binary are both thin hosts around
//! [`Runtime`]. A host starts the runtime with a [`Config`], sends it requests through the
//! cheap, cloneable [`Runtime`] handle and follows what happens on its [`Event`] stream.
//!
//! # Layout
//!
//! - [`catalog`]: the bundled or organiser-supplied game catalog and per-game `game.json`
//!   metadata, with errors that name file, line, column and field.
//! - [`relpath`]: the rules a relative path must pass (Windows-safe, no escapes) before
//!   anything touches the disk with it.
//! - [`library`]: the local game folder: scanning roots, hashing files into chunked
//!   [`library::Manifest`]s, the persistent hash cache and the file watcher.
//! - [`identity`]: this peer's key pair, self-signed certificate and peer id.
//! - [`proto`]: the wire protocol: frames, messages, limits, error codes.
//! - [`net`]: the QUIC endpoint, connections to peers and serving their requests.
//! - [`discovery`]: finding peers with mDNS, and diagnosing the network when none appear.
//! - [`remote`]: merging the peers' libraries with the local one.
//! - [`transfer`]: downloads (so far the chunk planner).
//! - [`install`]: installs, updates and uninstalls of `local/` as crash-safe transactions:
//!   the reserved folders, the intent record and the pure recovery table.
//! - [`launch`]: what the first Play writes into an install (player name, language) and the
//!   arguments of the game's start script.
//! - [`state`]: the state directory layout and crash-safe file writes.
//! - [`runtime`]: the actor that owns the library, the request handle and the event stream.
//! - [`settings`]: the desktop app's settings and their checks (games folder, player, peers).
//! - [`applog`]: the last lines of a host's own log, kept in memory for display.

pub mod applog;
pub mod catalog;
pub mod discovery;
pub mod identity;
pub mod install;
pub mod launch;
pub mod library;
pub mod net;
pub mod problem;
pub mod proto;
pub mod remote;
pub mod runtime;
pub mod settings;
pub mod state;
pub mod transfer;

/// Relative path rules, shared with the RAR extractor sidecar through their own small crate.
pub use lanparty_relpath as relpath;

pub use catalog::{Catalog, GameId, GameMeta};
pub use problem::{Explain, Problem};
pub use runtime::{Config, Event, Runtime, StartError};
