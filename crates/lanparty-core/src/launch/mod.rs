//! Starting an installed game.
//!
//! LAN game packs run through a Steam emulator that reads the player's name and language from
//! files inside the install, and many come with a start script. This module owns what the
//! launcher writes into those files the first time a game is played, the rules a username
//! and a language must pass first, and the arguments the start script gets.
//!
//! # Layout
//!
//! - [`play`]: Play and Start Server: running the scripts, the first Play's stamping and setup,
//!   and its record in the state directory.
//! - [`logs`]: the logs of servers started without a console, read from their end.
//! - [`stamp`]: pure text functions: the username and language checks, the contents of
//!   `account_name.txt` and `language.txt`, the `PersonaName` edit of `SmartSteamEmu.ini`, and
//!   the start script's arguments.

pub mod logs;
pub mod play;
pub mod stamp;

pub use stamp::{Language, StampError, Username, game_start_args};
