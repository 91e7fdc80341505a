//! The one error type every command returns.
//!
//! The frontend gets `{ kind, message }`, and for the runtime's errors a `problem`: `kind` to
//! decide (show the folder picker on `NoGameFolder`), `problem` (a code and its arguments) to
//! word it in the player's language, `message` (the runtime's English, which says what failed
//! and what to do) for a code the frontend does not know.

use lanparty_core::install::InstallCommandError;
use lanparty_core::runtime::{PeerError, StartError, Stopped};
use lanparty_core::settings::SettingsError;
use lanparty_core::transfer::DownloadError;
use lanparty_core::{Explain, Problem};
use serde::Serialize;

/// Why a command failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type, thiserror::Error)]
#[serde(tag = "kind")]
pub enum AppError {
    /// No games folder is chosen yet, so the runtime is not running.
    #[error("{message}")]
    NoGameFolder { message: String },
    /// The runtime is starting (after a change of the games folder or the player).
    #[error("{message}")]
    Starting { message: String },
    /// The runtime could not start; `message` says why.
    #[error("{message}")]
    StartFailed { message: String },
    /// A folder cannot be the games folder.
    #[error("{message}")]
    BadFolder { message: String },
    #[error("{message}")]
    Download { message: String, problem: Option<Problem> },
    /// The player cancelled the operation before it answered (a download cancelled while its
    /// manifest was awaited): what they asked for, not a failure to show.
    #[error("{message}")]
    Cancelled { message: String, problem: Option<Problem> },
    #[error("{message}")]
    Install { message: String, problem: Option<Problem> },
    #[error("{message}")]
    Launch { message: String, problem: Option<Problem> },
    #[error("{message}")]
    Peer { message: String, problem: Option<Problem> },
    #[error("{message}")]
    Settings { message: String, problem: Option<Problem> },
    /// The runtime stopped while answering (the app is closing, or the runtime is replaced).
    #[error("{message}")]
    Stopped { message: String },
    #[error("{message}")]
    Io { message: String },
}

impl AppError {
    pub fn no_game_folder() -> AppError {
        AppError::NoGameFolder { message: "choose a game folder first".to_owned() }
    }

    pub fn starting() -> AppError {
        AppError::Starting { message: "Lanparty is starting: try again in a moment".to_owned() }
    }

    pub fn io(message: impl Into<String>) -> AppError {
        AppError::Io { message: message.into() }
    }

    fn stopped() -> AppError {
        AppError::Stopped { message: format!("{Stopped}: try again in a moment, or restart Lanparty") }
    }
}

impl From<Stopped> for AppError {
    fn from(_: Stopped) -> AppError {
        AppError::stopped()
    }
}

impl From<DownloadError> for AppError {
    fn from(e: DownloadError) -> AppError {
        match e {
            DownloadError::Stopped => AppError::stopped(),
            e @ DownloadError::Cancelled { .. } => {
                AppError::Cancelled { message: e.to_string(), problem: Some(e.problem()) }
            }
            e => AppError::Download { message: e.to_string(), problem: Some(e.problem()) },
        }
    }
}

impl From<InstallCommandError> for AppError {
    fn from(e: InstallCommandError) -> AppError {
        match e {
            InstallCommandError::Stopped => AppError::stopped(),
            e @ InstallCommandError::Launch(_) => {
                AppError::Launch { message: e.to_string(), problem: Some(e.problem()) }
            }
            e => AppError::Install { message: e.to_string(), problem: Some(e.problem()) },
        }
    }
}

impl From<PeerError> for AppError {
    fn from(e: PeerError) -> AppError {
        AppError::Peer { message: e.to_string(), problem: Some(e.problem()) }
    }
}

impl From<SettingsError> for AppError {
    fn from(e: SettingsError) -> AppError {
        match e {
            SettingsError::Folder(message) => AppError::BadFolder { message },
            SettingsError::Player(e) => AppError::Settings { message: e.to_string(), problem: Some(e.problem()) },
            SettingsError::PeerAddress { ref addr, ref reason } => {
                let problem = Problem::new("peer.bad-address")
                    .with("addr", addr)
                    .with("detail", reason)
                    .with("port", lanparty_core::net::DEFAULT_PORT);
                AppError::Settings { message: e.to_string(), problem: Some(problem) }
            }
            e => AppError::Settings { message: e.to_string(), problem: None },
        }
    }
}

impl From<StartError> for AppError {
    fn from(e: StartError) -> AppError {
        AppError::StartFailed { message: e.to_string() }
    }
}

impl From<lanparty_core::catalog::CoverError> for AppError {
    fn from(e: lanparty_core::catalog::CoverError) -> AppError {
        AppError::io(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_kind_and_message() {
        let json = serde_json::to_value(AppError::no_game_folder()).unwrap();
        assert_eq!(json, serde_json::json!({"kind": "NoGameFolder", "message": "choose a game folder first"}));
        let e = AppError::from(DownloadError::Offline);
        assert_eq!(serde_json::to_value(&e).unwrap()["kind"], "Download");
        assert!(e.to_string().contains("offline"));
        assert_eq!(serde_json::to_value(AppError::from(DownloadError::Stopped)).unwrap()["kind"], "Stopped");
        let game = lanparty_core::catalog::GameId::new("openarena").unwrap();
        let cancelled = AppError::from(DownloadError::Cancelled { game });
        assert_eq!(serde_json::to_value(&cancelled).unwrap()["kind"], "Cancelled");
    }
}
