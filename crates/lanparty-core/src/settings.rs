//! What a player sets in the desktop app, and the checks it passes before the runtime uses it.
//!
//! The desktop shell stores [`Settings`] and turns them into a runtime [`Config`](crate::Config);
//! every rule lives here so it is tested without a window: [`Settings::validate`] (username and
//! language by the rules of [`crate::launch`], the upload limit, manual peer addresses) and
//! [`check_folder`] for the games folder (exists, is a folder, is writable, does not hold the
//! state folder). Messages say what is wrong and what to do, for showing as they are.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::launch::{Language, Username};

/// The player's settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Settings {
    /// The games folder; `None` until the player chose one (the runtime waits for it).
    pub games_dir: Option<String>,
    /// The name games show for this player.
    pub username: String,
    /// The Steam language given to games (`english`, `german`, ...).
    pub language: String,
    /// Most MiB per second served to peers, all together; `None` for no limit.
    pub upload_limit_mib_s: Option<u32>,
    /// Peers dialled by address (`HOST:PORT`), for networks where mDNS does not pass.
    pub manual_peers: Vec<String>,
}

/// Why settings are refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error(transparent)]
    Player(#[from] crate::launch::StampError),
    #[error("{0}")]
    Folder(String),
    /// An environment override (`LANPARTY_*`) cannot be used.
    #[error("{0}")]
    Environment(String),
    #[error("peer address `{addr}` is not HOST:PORT ({reason}): write it like 192.168.1.20:{port}", port = crate::net::DEFAULT_PORT)]
    PeerAddress { addr: String, reason: String },
}

impl Settings {
    /// First-run settings: no games folder yet, `login` as the username when it is a valid one.
    pub fn initial(login: Option<&str>) -> Settings {
        let username = login.and_then(|l| Username::new(l).ok()).map_or_else(|| "Player".to_owned(), |u| u.to_string());
        Settings {
            games_dir: None,
            username,
            language: "english".to_owned(),
            upload_limit_mib_s: None,
            manual_peers: Vec::new(),
        }
    }

    /// Checks every field except the games folder on disk (see [`check_folder`]) and returns the
    /// settings as they are kept: a limit of 0 means none, peer addresses trimmed and without
    /// duplicates, an empty games folder means none.
    pub fn validate(&self) -> Result<Settings, SettingsError> {
        Username::new(&self.username)?;
        Language::new(&self.language)?;
        let mut manual_peers: Vec<String> = Vec::new();
        for addr in &self.manual_peers {
            let addr = addr.trim();
            check_peer_address(addr)?;
            if !manual_peers.iter().any(|a| a == addr) {
                manual_peers.push(addr.to_owned());
            }
        }
        let games_dir = self.games_dir.as_deref().map(str::trim).filter(|d| !d.is_empty());
        if let Some(dir) = games_dir.filter(|d| !Path::new(d).is_absolute()) {
            return Err(SettingsError::Folder(format!(
                "game folder `{dir}` is not a full path: choose the folder again"
            )));
        }
        Ok(Settings {
            games_dir: games_dir.map(str::to_owned),
            username: self.username.clone(),
            language: self.language.clone(),
            upload_limit_mib_s: self.upload_limit_mib_s.filter(|&l| l > 0),
            manual_peers,
        })
    }

    /// The upload limit in bytes per second, as the runtime takes it.
    pub fn upload_limit_bytes(&self) -> Option<u64> {
        self.upload_limit_mib_s.filter(|&l| l > 0).map(|l| u64::from(l) * 1024 * 1024)
    }

    /// Whether going from `self` to `new` needs a new runtime: a different games folder, or a
    /// different player (the runtime gives the username and language to installs as it starts).
    pub fn needs_restart(&self, new: &Settings) -> bool {
        self.games_dir != new.games_dir || self.username != new.username || self.language != new.language
    }
}

/// The settings file in the state folder. Its shape is the Tauri store plugin's (the desktop
/// app reads it through the plugin): one object holding the settings under [`FILE_KEY`].
pub const FILE: &str = "settings.json";
/// The key the settings are kept under in [`FILE`].
pub const FILE_KEY: &str = "settings";

/// The bytes of [`FILE`] holding `settings`.
pub fn file_bytes(settings: &Settings) -> Vec<u8> {
    let document = serde_json::json!({ FILE_KEY: settings });
    // Serialising a map of strings, numbers and lists cannot fail.
    serde_json::to_vec_pretty(&document).unwrap_or_default()
}

/// Settings read back from the value saved under [`FILE_KEY`], field by field: a field that is
/// missing, of the wrong type or invalid takes its first-run value (as
/// [`Settings::initial`] with `login`) and is named in the returned notes, so one bad field (a
/// file from another version, a hand edit) does not lose the others, the games folder above all.
pub fn from_saved(saved: &serde_json::Value, login: Option<&str>) -> (Settings, Vec<String>) {
    let mut settings = Settings::initial(login);
    let mut notes = Vec::new();
    let Some(fields) = saved.as_object() else {
        notes.push("the saved settings are not an object".to_owned());
        return (settings, notes);
    };
    let mut note = |field: &str, why: String| notes.push(format!("{field}: {why}"));
    let text = |field: &str| fields.get(field).and_then(serde_json::Value::as_str).map(str::trim);
    match fields.get("games_dir") {
        None | Some(serde_json::Value::Null) => {}
        Some(_) => match text("games_dir") {
            Some(dir) if Path::new(dir).is_absolute() => settings.games_dir = Some(dir.to_owned()),
            Some("") => {}
            _ => note("games_dir", "not a full path".to_owned()),
        },
    }
    match text("username").map(Username::new) {
        Some(Ok(name)) => settings.username = name.to_string(),
        Some(Err(e)) => note("username", e.to_string()),
        None => note("username", "missing".to_owned()),
    }
    match text("language").map(|l| Language::new(l).map(|_| l)) {
        Some(Ok(language)) => settings.language = language.to_owned(),
        Some(Err(e)) => note("language", e.to_string()),
        None => note("language", "missing".to_owned()),
    }
    match fields.get("upload_limit_mib_s") {
        None | Some(serde_json::Value::Null) => {}
        Some(limit) => match limit.as_u64().and_then(|l| u32::try_from(l).ok()) {
            Some(limit) => settings.upload_limit_mib_s = Some(limit).filter(|&l| l > 0),
            None => note("upload_limit_mib_s", format!("{limit} is not a whole number of MiB/s")),
        },
    }
    if let Some(peers) = fields.get("manual_peers") {
        for peer in peers.as_array().map(Vec::as_slice).unwrap_or_default() {
            match peer.as_str().map(|p| check_peer_address(p.trim()).map(|()| p.trim())) {
                Some(Ok(addr)) if !settings.manual_peers.iter().any(|a| a == addr) => {
                    settings.manual_peers.push(addr.to_owned());
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => note("manual_peers", e.to_string()),
                None => note("manual_peers", format!("{peer} is not an address")),
            }
        }
        if !peers.is_array() {
            note("manual_peers", "not a list".to_owned());
        }
    }
    (settings, notes)
}

/// Why `new` cannot be applied now, if it cannot: applying it restarts the runtime, which would
/// cut short the `operations` running (game, what) and, for another games folder, strand the
/// staged bytes of the `recorded` downloads in the old one.
pub fn restart_refusal(
    old: &Settings,
    new: &Settings,
    operations: &[(String, String)],
    recorded: &[String],
) -> Option<RestartRefusal> {
    if !old.needs_restart(new) {
        return None;
    }
    if let Some((game, what)) = operations.first() {
        return Some(RestartRefusal::Busy { game: game.clone(), what: what.clone() });
    }
    if old.games_dir != new.games_dir && !recorded.is_empty() {
        return Some(RestartRefusal::DownloadsKept { games: recorded.to_vec() });
    }
    None
}

/// Why settings that restart the runtime cannot be saved now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestartRefusal {
    #[error("{game} is busy ({what}): wait for it to finish or cancel it, then save the settings again")]
    Busy { game: String, what: String },
    #[error(
        "downloads of {} are kept in the current game folder: finish or cancel them before choosing another folder",
        games.join(", ")
    )]
    DownloadsKept { games: Vec<String> },
}

impl crate::Explain for RestartRefusal {
    fn problem(&self) -> crate::Problem {
        match self {
            RestartRefusal::Busy { game, what } => {
                crate::Problem::new("settings.busy").with("game", game).with("what", what)
            }
            RestartRefusal::DownloadsKept { games } => {
                crate::Problem::new("settings.downloads-kept").with("games", games.join(", "))
            }
        }
    }
}

/// What turns the manual peers `current` into `wanted`: the addresses to add and to remove,
/// each in the order of its list.
pub fn peer_changes(current: &[String], wanted: &[String]) -> (Vec<String>, Vec<String>) {
    let add = wanted.iter().filter(|a| !current.contains(a)).cloned().collect();
    let remove = current.iter().filter(|a| !wanted.contains(a)).cloned().collect();
    (add, remove)
}

/// Checks the shape of a manual peer address, `HOST:PORT`, without resolving it.
pub fn check_peer_address(addr: &str) -> Result<(), SettingsError> {
    let fail = |reason: &str| SettingsError::PeerAddress { addr: addr.to_owned(), reason: reason.to_owned() };
    let (host, port) = addr.rsplit_once(':').ok_or_else(|| fail("no port"))?;
    // `[::1]:47474` is an IPv6 address; a bare IPv6 address without brackets is ambiguous.
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    if host.is_empty() {
        return Err(fail("no host"));
    }
    if host.chars().any(|c| c.is_whitespace() || c.is_control() || c == '/') {
        return Err(fail("the host has spaces or slashes"));
    }
    if host.contains(':') && !addr.starts_with('[') {
        return Err(fail("put an IPv6 address in brackets, like [fe80::1]:47474"));
    }
    match port.parse::<u16>() {
        Ok(0) | Err(_) => Err(fail("the port is not a number from 1 to 65535")),
        Ok(_) => Ok(()),
    }
}

/// The display name of a machine called `host`: its host name without control characters,
/// cut to [`MAX_NAME_CHARS`](crate::proto::MAX_NAME_CHARS), or "Lanparty" when nothing is left.
pub fn display_name(host: &str) -> String {
    let name: String = host
        .chars()
        .filter(|c| !c.is_control())
        .take(crate::proto::MAX_NAME_CHARS)
        .collect::<String>()
        .trim()
        .to_owned();
    if name.is_empty() { "Lanparty".to_owned() } else { name }
}

/// Settings the environment forces for one run, for end-to-end tests and demos that start the
/// desktop app against a throw-away state folder and a local headless peer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `LANPARTY_STATE_DIR`: the state folder (and the settings file) instead of the app's data
    /// folder. Such an instance is independent: it does not focus another running one.
    pub state_dir: Option<PathBuf>,
    /// `LANPARTY_GAMES_DIR`: the games folder when the settings name none.
    pub games_dir: Option<PathBuf>,
    /// `LANPARTY_PEERS`: comma-separated `HOST:PORT`s dialled in this run (not saved).
    pub peers: Vec<String>,
    /// `LANPARTY_PORT`: the UDP port (0 for any free one).
    pub port: Option<u16>,
    /// `LANPARTY_NO_MDNS=1`: no mDNS announcing or browsing.
    pub no_mdns: bool,
    /// `LANPARTY_UNRAR`: the RAR extractor instead of the bundled `lanparty-unrar`.
    pub unrar: Option<PathBuf>,
}

impl Overrides {
    /// Reads the overrides through `var` (`std::env::var` in the app). Empty values count as unset.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Overrides, SettingsError> {
        let get = |name: &str| var(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let folder = |name: &str| -> Result<Option<PathBuf>, SettingsError> {
            match get(name).map(PathBuf::from) {
                Some(path) if !path.is_absolute() => Err(SettingsError::Environment(format!(
                    "{name}={} is not a full path: give a full path",
                    path.display()
                ))),
                path => Ok(path),
            }
        };
        let peers: Vec<String> = get("LANPARTY_PEERS")
            .map(|v| v.split(',').map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect())
            .unwrap_or_default();
        for peer in &peers {
            check_peer_address(peer)?;
        }
        let port = match get("LANPARTY_PORT") {
            None => None,
            Some(p) => Some(p.parse::<u16>().map_err(|_| {
                SettingsError::Environment(format!("LANPARTY_PORT={p} is not a port: give a number from 0 to 65535"))
            })?),
        };
        Ok(Overrides {
            state_dir: folder("LANPARTY_STATE_DIR")?,
            games_dir: folder("LANPARTY_GAMES_DIR")?,
            peers,
            port,
            no_mdns: get("LANPARTY_NO_MDNS").is_some_and(|v| v != "0"),
            unrar: folder("LANPARTY_UNRAR")?,
        })
    }
}

/// What [`check_folder`] found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FolderCheck {
    pub path: String,
    pub exists: bool,
    pub is_dir: bool,
    pub is_writable: bool,
    /// The folder can be the games folder.
    pub is_ok: bool,
    /// What is wrong and what to do, when it cannot.
    pub message: Option<String>,
}

/// Checks that `path` can be the games folder: a full path to an existing folder that this user
/// can write (probed by creating and deleting a file in it), which is neither the state folder
/// `state_dir` nor holds it (the state folder's private key would be served as part of a game).
pub fn check_folder(path: &Path, state_dir: Option<&Path>) -> FolderCheck {
    let shown = path.display().to_string();
    let mut check = FolderCheck {
        path: shown.clone(),
        exists: false,
        is_dir: false,
        is_writable: false,
        is_ok: false,
        message: None,
    };
    let fail = |mut check: FolderCheck, message: String| {
        check.message = Some(message);
        check
    };
    if !path.is_absolute() {
        return fail(check, format!("`{shown}` is not a full path: choose the folder again"));
    }
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return fail(check, format!("folder {shown} does not exist: create it or choose another folder"));
        }
        Err(e) => return fail(check, format!("folder {shown} cannot be read ({e}): choose another folder")),
        Ok(meta) => {
            check.exists = true;
            if !meta.is_dir() {
                return fail(check, format!("{shown} is a file, not a folder: choose a folder"));
            }
            check.is_dir = true;
        }
    }
    if let Err(e) = probe_write(path) {
        return fail(check, format!("folder {shown} is not writable ({e}): choose another folder"));
    }
    check.is_writable = true;
    if let Some(state) = state_dir.filter(|state| holds(path, state)) {
        return fail(
            check,
            format!("folder {shown} holds Lanparty's own data ({}): choose another folder", state.display()),
        );
    }
    check.is_ok = true;
    check
}

/// Creates and deletes a new file in `dir`. `create_new` never opens what is already there, so a
/// link planted under the probe's name cannot make the probe write through it.
fn probe_write(dir: &Path) -> std::io::Result<()> {
    use std::io::Write;
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let probe: PathBuf = dir.join(format!(".lanparty-write-probe-{}-{nanos:09}", std::process::id()));
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&probe)?;
    let written = file.write_all(b"ok");
    drop(file);
    let removed = std::fs::remove_file(&probe);
    written.and(removed)
}

/// Whether `outer` is `inner` or one of its ancestors, comparing resolved paths when they exist.
fn holds(outer: &Path, inner: &Path) -> bool {
    let outer = outer.canonicalize().unwrap_or_else(|_| outer.to_path_buf());
    let inner = inner.canonicalize().unwrap_or_else(|_| inner.to_path_buf());
    inner.starts_with(&outer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restart_waits_for_running_operations_and_a_new_folder_for_kept_downloads() {
        let old = Settings { games_dir: Some("/games".into()), ..settings() };
        let renamed = Settings { username: "bob".into(), ..old.clone() };
        let moved = Settings { games_dir: Some("/other".into()), ..old.clone() };
        let limited = Settings { upload_limit_mib_s: Some(5), ..old.clone() };
        let busy = [("quake".to_owned(), "download".to_owned())];
        let kept = ["xonotic".to_owned()];
        assert_eq!(restart_refusal(&old, &limited, &busy, &kept), None, "no restart needed");
        assert!(restart_refusal(&old, &renamed, &busy, &[]).unwrap().to_string().contains("quake is busy (download)"));
        assert_eq!(restart_refusal(&old, &renamed, &[], &kept), None, "same folder: they resume");
        assert!(restart_refusal(&old, &moved, &[], &kept).unwrap().to_string().contains("downloads of xonotic"));
        assert_eq!(restart_refusal(&old, &moved, &[], &[]), None);
    }

    #[test]
    fn saved_settings_read_back_field_by_field() {
        let kept = Settings {
            games_dir: Some("/games".into()),
            upload_limit_mib_s: Some(5),
            manual_peers: vec!["10.0.0.2:47474".into()],
            ..settings()
        };
        let file: serde_json::Value = serde_json::from_slice(&file_bytes(&kept)).unwrap();
        assert_eq!(from_saved(&file[FILE_KEY], None), (kept.clone(), vec![]));

        // One bad field (another version's file, a hand edit) loses only itself.
        let saved = serde_json::json!({
            "games_dir": "/games",
            "username": "",
            "language": 7,
            "upload_limit_mib_s": -1,
            "manual_peers": ["10.0.0.2:47474", "nonsense", "10.0.0.2:47474", 3],
            "from_the_future": true,
        });
        let (read, notes) = from_saved(&saved, Some("bob"));
        assert_eq!(read.games_dir.as_deref(), Some("/games"));
        assert_eq!(read.username, "bob");
        assert_eq!(read.language, "english");
        assert_eq!(read.upload_limit_mib_s, None);
        assert_eq!(read.manual_peers, ["10.0.0.2:47474"]);
        assert_eq!(read.validate().unwrap(), read);
        let fields: Vec<&str> = notes.iter().map(|n| n.split(':').next().unwrap()).collect();
        assert_eq!(fields, ["username", "language", "upload_limit_mib_s", "manual_peers", "manual_peers"]);

        let (read, notes) = from_saved(&serde_json::json!({"games_dir": "games"}), None);
        assert_eq!((read.games_dir, read.username.as_str()), (None, "Player"));
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert_eq!(from_saved(&serde_json::json!([1]), None).0, Settings::initial(None));
    }

    #[test]
    fn the_write_probe_creates_a_new_file_and_leaves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        probe_write(tmp.path()).unwrap();
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    }

    fn settings() -> Settings {
        Settings::initial(Some("alice"))
    }

    #[test]
    fn initial_settings_use_a_valid_login_or_player() {
        assert_eq!(Settings::initial(Some("alice")).username, "alice");
        assert_eq!(Settings::initial(Some("a;b")).username, "Player");
        assert_eq!(Settings::initial(None).username, "Player");
        let initial = Settings::initial(None);
        assert_eq!(initial.games_dir, None);
        assert_eq!(initial.validate().unwrap(), initial);
    }

    #[test]
    fn validate_applies_the_launch_rules_to_username_and_language() {
        let bad = Settings { username: "x".repeat(32), ..settings() };
        assert!(matches!(bad.validate(), Err(SettingsError::Player(_))));
        let bad = Settings { username: "a\"b".into(), ..settings() };
        assert!(bad.validate().unwrap_err().to_string().contains("Settings"));
        let bad = Settings { language: "German".into(), ..settings() };
        assert!(bad.validate().unwrap_err().to_string().contains("not a Steam language"));
        let good = Settings { language: "german".into(), ..settings() };
        assert!(good.validate().is_ok());
    }

    #[test]
    fn validate_normalises_limit_peers_and_folder() {
        let raw = Settings {
            games_dir: Some("  ".into()),
            upload_limit_mib_s: Some(0),
            manual_peers: vec![" 10.0.0.2:47474 ".into(), "10.0.0.2:47474".into(), "host:1".into()],
            ..settings()
        };
        let kept = raw.validate().unwrap();
        assert_eq!(kept.games_dir, None);
        assert_eq!(kept.upload_limit_mib_s, None);
        assert_eq!(kept.manual_peers, ["10.0.0.2:47474", "host:1"]);
        assert_eq!(Settings { upload_limit_mib_s: Some(5), ..settings() }.upload_limit_bytes(), Some(5 << 20));
        assert_eq!(kept.upload_limit_bytes(), None);
        let relative = Settings { games_dir: Some("games".into()), ..settings() };
        assert!(relative.validate().unwrap_err().to_string().contains("not a full path"));
    }

    #[test]
    fn peer_changes_add_the_new_and_remove_the_gone() {
        let list = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(peer_changes(&[], &[]), (vec![], vec![]));
        assert_eq!(peer_changes(&list(&["a:1"]), &list(&["a:1"])), (vec![], vec![]));
        assert_eq!(
            peer_changes(&list(&["a:1", "b:1"]), &list(&["c:1", "a:1", "d:1"])),
            (list(&["c:1", "d:1"]), list(&["b:1"]))
        );
        assert_eq!(peer_changes(&list(&["a:1"]), &[]), (vec![], list(&["a:1"])));
    }

    #[test]
    fn peer_addresses_need_host_and_port() {
        for good in ["10.0.0.2:47474", "fileserver:1", "[fe80::1]:47474", "a.b-c:65535"] {
            assert!(check_peer_address(good).is_ok(), "{good}");
        }
        for (bad, why) in [
            ("10.0.0.2", "no port"),
            (":47474", "no host"),
            ("host:0", "1 to 65535"),
            ("host:70000", "1 to 65535"),
            ("host:x", "1 to 65535"),
            ("fe80::1:47474", "brackets"),
            ("my host:1", "spaces"),
            ("http://x:1", "slashes"),
        ] {
            let err = check_peer_address(bad).unwrap_err().to_string();
            assert!(err.contains(why) && err.contains("HOST:PORT"), "{bad}: {err}");
        }
    }

    #[test]
    fn restart_only_for_folder_or_player() {
        let a = settings();
        assert!(!a.needs_restart(&Settings {
            upload_limit_mib_s: Some(3),
            manual_peers: vec!["h:1".into()],
            ..a.clone()
        }));
        assert!(a.needs_restart(&Settings { games_dir: Some("/g".into()), ..a.clone() }));
        assert!(a.needs_restart(&Settings { username: "bob".into(), ..a.clone() }));
        assert!(a.needs_restart(&Settings { language: "german".into(), ..a.clone() }));
    }

    #[test]
    fn display_names_come_from_the_host_name() {
        assert_eq!(display_name("gamer-pc"), "gamer-pc");
        assert_eq!(display_name(" \u{7}x\n"), "x");
        assert_eq!(display_name(""), "Lanparty");
        assert_eq!(display_name(&"a".repeat(100)).chars().count(), crate::proto::MAX_NAME_CHARS);
    }

    #[test]
    fn overrides_come_from_the_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
        };
        assert_eq!(Overrides::from_vars(env(&[])).unwrap(), Overrides::default());
        let all = Overrides::from_vars(env(&[
            ("LANPARTY_STATE_DIR", "/tmp/s"),
            ("LANPARTY_GAMES_DIR", "/tmp/g"),
            ("LANPARTY_PEERS", "127.0.0.1:47474, host:1,"),
            ("LANPARTY_PORT", "0"),
            ("LANPARTY_NO_MDNS", "1"),
            ("LANPARTY_UNRAR", " "),
        ]))
        .unwrap();
        assert_eq!(all.state_dir.as_deref(), Some(Path::new("/tmp/s")));
        assert_eq!(all.games_dir.as_deref(), Some(Path::new("/tmp/g")));
        assert_eq!(all.peers, ["127.0.0.1:47474", "host:1"]);
        assert_eq!(all.port, Some(0));
        assert!(all.no_mdns);
        assert_eq!(all.unrar, None);
        assert!(!Overrides::from_vars(env(&[("LANPARTY_NO_MDNS", "0")])).unwrap().no_mdns);
        let err = Overrides::from_vars(env(&[("LANPARTY_STATE_DIR", "rel")])).unwrap_err();
        assert!(err.to_string().contains("LANPARTY_STATE_DIR=rel is not a full path"), "{err}");
        assert!(Overrides::from_vars(env(&[("LANPARTY_PORT", "99999")])).is_err());
        assert!(Overrides::from_vars(env(&[("LANPARTY_PEERS", "nohost")])).is_err());
    }

    #[test]
    fn folder_check_accepts_a_writable_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let check = check_folder(tmp.path(), None);
        assert!(check.is_ok && check.exists && check.is_dir && check.is_writable, "{check:?}");
        assert_eq!(check.message, None);
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0, "the probe is gone");
    }

    #[test]
    fn folder_check_names_what_is_wrong() {
        let tmp = tempfile::tempdir().unwrap();
        let missing = check_folder(&tmp.path().join("nope"), None);
        assert!(!missing.is_ok && !missing.exists);
        assert!(missing.message.unwrap().contains("does not exist: create it or choose another folder"));

        let file = tmp.path().join("f");
        std::fs::write(&file, b"x").unwrap();
        let check = check_folder(&file, None);
        assert!(check.exists && !check.is_dir && !check.is_ok);
        assert!(check.message.unwrap().contains("is a file, not a folder"));

        let relative = check_folder(Path::new("games"), None);
        assert!(relative.message.unwrap().contains("not a full path"));

        let state = tmp.path().join("state");
        std::fs::create_dir(&state).unwrap();
        let check = check_folder(tmp.path(), Some(&state));
        assert!(check.is_writable && !check.is_ok);
        assert!(check.message.unwrap().contains("holds Lanparty's own data"));
        assert!(!check_folder(&state, Some(&state)).is_ok);
        assert!(check_folder(&state, Some(&tmp.path().join("other"))).is_ok);
    }

    #[cfg(unix)]
    #[test]
    fn folder_check_probes_writability() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("ro");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        // Root writes anywhere: then the probe succeeds, which is the truth for root.
        let can_write = std::fs::write(dir.join("x"), b"").is_ok();
        let check = check_folder(&dir, None);
        assert_eq!(check.is_writable, can_write);
        if !can_write {
            let message = check.message.unwrap();
            assert!(message.contains("is not writable") && message.contains("choose another folder"), "{message}");
        }
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}
