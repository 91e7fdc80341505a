//! Installs, updates and uninstalls of a game's `local/` folder, as crash-safe transactions.
//!
//! An install extracts the game into a reserved staging folder in the game root, then renames
//! the result to `local/`. An update extracts beside the old install, moves the old `local/`
//! into a reserved backup folder, renames the new one into place and only then drops the
//! backup. An uninstall moves `local/` into the backup folder and deletes it there. Before each
//! step that touches the disk, an intent record naming that step is written to the state
//! directory and flushed, so that after a crash the next start can tell, from the intent and
//! from which folders exist, whether to finish the operation or undo it.
//!
//! # Layout
//!
//! - [`recovery`]: the folder names, the intent record, the step sequences and the pure
//!   recovery table that decides, with no IO, what to rename or delete after a crash or a
//!   failed step.
//! - [`run`]: the executor: [`run::Txn`] runs an operation step by step and recovers a game at
//!   start.
//! - `service`: installs as runtime operations (events, recovery at start, install after a
//!   download).
//! - [`unpack`]: the injected [`unpack::Unpacker`], the `lanparty-unrar` sidecar that implements
//!   it, and the unpack log.

pub mod recovery;
pub mod run;
pub(crate) mod service;
pub mod unpack;

pub use service::InstallCommandError;

pub use recovery::{
    Action, BACKUP_DIR, INTENTS_DIR, Intent, IntentError, Kind, MARKER_FILE, Marked, Observed, OpId, Outcome,
    PAYLOAD_DIR, Plan, STAGING_DIR, Step, abort, apply, intent_path, recover,
};
