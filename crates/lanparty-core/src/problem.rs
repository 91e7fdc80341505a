//! What went wrong, for a front end that words it itself (the desktop app, in the player's
//! language): a stable `code` and the error's fields as text.
//!
//! Every error keeps its English `Display`, written for the headless peer and the logs; it
//! stays the message of record, and what a front end shows for a code it does not know.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::install::InstallCommandError;
use crate::install::run::InstallError;
use crate::install::unpack::UnpackError;
use crate::launch::StampError;
use crate::launch::play::LaunchError;
use crate::runtime::PeerError;
use crate::transfer::{DownloadError, ManifestError};

/// An error as a code and its arguments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Problem {
    /// Stable and kebab-case, prefixed by its area: `download.no-source`, `install.foreign`.
    pub code: String,
    /// The error's fields as text, by name: `game` (a game id), `version`, `need`, `path`,
    /// `detail` (the system's own words for an I/O failure, in its language), ...
    pub args: BTreeMap<String, String>,
}

impl Problem {
    pub fn new(code: &str) -> Problem {
        Problem { code: code.to_owned(), args: BTreeMap::new() }
    }

    /// `self` with the argument `key` set to `value`.
    pub fn with(mut self, key: &str, value: impl ToString) -> Problem {
        self.args.insert(key.to_owned(), value.to_string());
        self
    }
}

/// Errors that can say what went wrong as a [`Problem`].
pub trait Explain {
    fn problem(&self) -> Problem;
}

impl Explain for DownloadError {
    fn problem(&self) -> Problem {
        use DownloadError as E;
        let p = Problem::new;
        match self {
            E::BadId(id) => p("download.bad-id").with("game", id),
            E::Offline => p("download.offline"),
            E::Busy { game, what } => p("download.busy").with("game", game).with("what", what),
            E::NoSource { game } => p("download.no-source").with("game", game),
            E::AlreadyDownloaded { game, version } => {
                p("download.already-downloaded").with("game", game).with("version", version)
            }
            E::NotDownloaded { game } => p("download.not-downloaded").with("game", game),
            E::UpToDate { game, version } => p("download.up-to-date").with("game", game).with("version", version),
            E::Manifest(e) => e.problem(),
            E::ManifestFetch { game, version, reason } => {
                p("download.manifest-fetch").with("game", game).with("version", version).with("detail", reason)
            }
            E::NoSpace { game, version, dir, need, have } => p("download.no-space")
                .with("game", game)
                .with("version", version)
                .with("dir", dir)
                .with("need", need)
                .with("have", have),
            E::DiskFull { game, version, dir, left } => {
                p("download.disk-full").with("game", game).with("version", version).with("dir", dir).with("left", left)
            }
            E::Io { game, path, reason } => {
                p("download.io").with("game", game).with("path", path).with("detail", reason)
            }
            E::SourcesGone { game, version, done, total } => p("download.sources-gone")
                .with("game", game)
                .with("version", version)
                .with("done", done)
                .with("total", total),
            E::SourcesDropped { game, version, dropped, done, total } => p("download.sources-dropped")
                .with("game", game)
                .with("version", version)
                .with("dropped", dropped)
                .with("done", done)
                .with("total", total),
            E::VersionMismatch { game, version, found } => {
                p("download.version-mismatch").with("game", game).with("version", version).with("found", found)
            }
            E::NotDownloading { game } => p("download.not-downloading").with("game", game),
            E::InstallFinishedFirst { game } => p("download.install-finished-first").with("game", game),
            E::AlreadyFinished { game } => p("download.already-finished").with("game", game),
            E::Cancelled { game } => p("download.cancelled").with("game", game),
            E::Stopped => p("stopped"),
        }
    }
}

impl Explain for ManifestError {
    fn problem(&self) -> Problem {
        use ManifestError as E;
        let p = Problem::new;
        match self {
            E::NoSource { game, version } => p("manifest.no-source").with("game", game).with("version", version),
            E::NoAgreement { game, version, votes } => {
                p("manifest.no-agreement").with("game", game).with("version", version).with("votes", votes)
            }
            E::Mismatch { game, version, reason } => {
                p("manifest.mismatch").with("game", game).with("version", version).with("detail", reason)
            }
            E::UnsafePath { game, version, path, reason } => p("manifest.unsafe-path")
                .with("game", game)
                .with("version", version)
                .with("path", path)
                .with("detail", reason),
        }
    }
}

impl Explain for InstallCommandError {
    fn problem(&self) -> Problem {
        use InstallCommandError as E;
        let p = Problem::new;
        match self {
            E::BadId(id) => p("install.bad-id").with("game", id),
            E::Busy { game, what } => p("install.busy").with("game", game).with("what", what),
            E::NotDownloaded { game } => p("install.not-downloaded").with("game", game),
            E::NoUnpacker => p("install.no-unpacker"),
            E::Install(e) => e.problem(),
            E::Launch(e) => e.problem(),
            E::Installed { game } => p("remove.installed").with("game", game),
            E::NotRemovable { path, why } => p("remove.not-removable").with("path", path.display()).with("why", why),
            E::Remove { path, source } => p("remove.io").with("path", path.display()).with("detail", source),
            E::Stopped => p("stopped"),
        }
    }
}

impl Explain for InstallError {
    fn problem(&self) -> Problem {
        use InstallError as E;
        let p = Problem::new;
        match self {
            E::AlreadyInstalled { game } => p("install.already-installed").with("game", game),
            E::NotInstalled { game } => p("install.not-installed").with("game", game),
            E::Foreign { path } => p("install.foreign").with("path", path.display()),
            E::Unpack { game, source } => {
                let mut problem = source.problem().with("game", game);
                problem.args.entry("message".to_owned()).or_insert_with(|| source.to_string());
                problem
            }
            E::Io { what, path, source } => {
                p("install.io").with("what", what).with("path", path.display()).with("detail", source)
            }
        }
    }
}

impl Explain for UnpackError {
    /// `unpack.<code>`, with the sidecar's own code (`password`, `corrupt`, `missing_volume`,
    /// ...) when it refused the archives.
    fn problem(&self) -> Problem {
        use UnpackError as E;
        let p = Problem::new;
        match self {
            E::Spawn { program, source } => p("unpack.spawn").with("path", program.display()).with("detail", source),
            E::Refused { code, message, .. } => p(&format!("unpack.{code}")).with("message", message),
            E::Crashed { status } => p("unpack.crashed").with("detail", status),
            E::Output(detail) => p("unpack.output").with("detail", detail),
            E::Cancelled => p("unpack.cancelled"),
            E::Missing => p("install.no-unpacker"),
        }
    }
}

impl Explain for LaunchError {
    fn problem(&self) -> Problem {
        use LaunchError as E;
        let p = Problem::new;
        match self {
            E::NotInstalled { game } => p("launch.not-installed").with("game", game),
            E::NoScript { game, script, what } => {
                p("launch.no-script").with("game", game).with("script", script).with("what", what)
            }
            E::Name(e) => e.problem(),
            E::Spawn { script, source } => p("launch.spawn").with("path", script.display()).with("detail", source),
            E::Io { path, source } => p("launch.io").with("path", path.display()).with("detail", source),
        }
    }
}

impl Explain for StampError {
    fn problem(&self) -> Problem {
        use StampError as E;
        let p = Problem::new;
        match self {
            E::EmptyUsername => p("username.empty"),
            E::UsernameTooLong { bytes } => p("username.too-long").with("bytes", bytes),
            E::UsernameSpaces => p("username.spaces"),
            E::UsernameChar { ch } => p("username.char").with("char", ch),
            E::BadLanguage { language } => p("username.bad-language").with("language", language),
            E::NoSection => p("username.no-section"),
            E::Utf16 => p("username.utf16"),
        }
    }
}

impl Explain for PeerError {
    fn problem(&self) -> Problem {
        use PeerError as E;
        let p = Problem::new;
        match self {
            E::BadAddress { addr, reason } => {
                p("peer.bad-address").with("addr", addr).with("detail", reason).with("port", crate::net::DEFAULT_PORT)
            }
            E::NoSuchPeer(peer) => p("peer.no-such-peer").with("peer", peer),
            E::AmbiguousPeer(peer) => p("peer.ambiguous").with("peer", peer),
            E::Offline => p("peer.offline"),
            E::Save { path, reason } => p("peer.save").with("path", path).with("detail", reason),
            E::Net(e) => p("peer.net").with("detail", e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_serializes_as_code_and_text_arguments() {
        let p = Problem::new("download.no-space").with("game", "quake").with("need", "1.0 GiB");
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            serde_json::json!({"code": "download.no-space", "args": {"game": "quake", "need": "1.0 GiB"}})
        );
    }

    #[test]
    fn an_unpacker_refusal_keeps_the_sidecar_code_and_the_game() {
        let game = crate::catalog::GameId::new("quake").unwrap();
        let refused = UnpackError::Refused { code: "password".into(), exit: 3, message: "a password".into() };
        let p = InstallError::Unpack { game, source: refused }.problem();
        assert_eq!(p.code, "unpack.password");
        assert_eq!((p.args["game"].as_str(), p.args["message"].as_str()), ("quake", "a password"));
    }
}
