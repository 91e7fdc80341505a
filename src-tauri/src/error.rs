//! The one error type every command returns.
//!
//! The frontend gets `{ kind, message }`: `kind` to decide (show the folder picker on
//! `NoGameFolder`), `message` to show as it is. Messages come from the runtime's errors, which
//! already say what failed and what to do.

use lanparty_core::install::InstallCommandError;
use lanparty_core::runtime::{PeerError, StartError, Stopped};
use lanparty_core::settings::SettingsError;
use lanparty_core::transfer::DownloadError;
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
    Download { message: String },
    #[error("{message}")]
    Install { message: String },
    #[error("{message}")]
    Launch { message: String },
    #[error("{message}")]
    Peer { message: String },
    #[error("{message}")]
    Settings { message: String },
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
            e => AppError::Download { message: e.to_string() },
        }
    }
}

impl From<InstallCommandError> for AppError {
    fn from(e: InstallCommandError) -> AppError {
        match e {
            InstallCommandError::Stopped => AppError::stopped(),
            e @ InstallCommandError::Launch(_) => AppError::Launch { message: e.to_string() },
            e => AppError::Install { message: e.to_string() },
        }
    }
}

impl From<PeerError> for AppError {
    fn from(e: PeerError) -> AppError {
        AppError::Peer { message: e.to_string() }
    }
}

impl From<SettingsError> for AppError {
    fn from(e: SettingsError) -> AppError {
        match e {
            SettingsError::Folder(message) => AppError::BadFolder { message },
            e => AppError::Settings { message: e.to_string() },
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
    }
}
