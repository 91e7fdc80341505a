//! The host: owns the settings and the one runtime, starts, replaces and stops it.
//!
//! The runtime runs only once a games folder is chosen. A change of the games folder or of the
//! player (username, language) replaces it: the old one shuts down (downloads stop and resume in
//! the new one), its event bridge ends, and a new one starts. The upload limit and the manual
//! peers change on the running one. Every change of state goes to the frontend as a
//! `runtime-state` event; [`Host::state`] answers the same for a window that just opened.
//!
//! Start, stop and settings changes are serialised by one async lock; the current runtime sits
//! behind a short `std` mutex so commands get their handle without waiting for a restart.
//! Commands that start an operation on a game hold a [`Claim`] while they run, so a settings
//! change that restarts the runtime never slips between its "nothing is running" check and a
//! game being claimed.
//!
//! The settings file is the Tauri store plugin's, read through the plugin; the host writes it
//! itself, atomically (the plugin overwrites the file in place, so a crash in the middle would
//! leave half a file), and takes it out of the plugin's save-everything-at-exit.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use lanparty_core::applog::LogRing;
use lanparty_core::catalog::Catalog;
use lanparty_core::install::unpack::{self, Sidecar, UnpackLog, Unpacker};
use lanparty_core::settings::{self, Overrides, Settings};
use lanparty_core::{Config, Explain, Problem, Runtime};
use serde::Serialize;
use tauri::{AppHandle, Wry};
use tauri_plugin_store::Store;
use tauri_specta::Event as _;

use crate::bridge::Bridge;
use crate::error::AppError;

/// What the runtime is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "kebab-case")]
pub enum RuntimePhase {
    /// Not running: no games folder is chosen, or the app is closing.
    Stopped,
    Starting,
    Running,
    /// It could not start; `message` says why.
    Failed,
}

/// The runtime's state, sent as the `runtime-state` event whenever it changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, specta::Type, tauri_specta::Event)]
pub struct RuntimeState {
    pub state: RuntimePhase,
    pub message: Option<String>,
}

/// Who this app is, for the about and settings screens.
#[derive(Clone, Debug, Serialize, specta::Type)]
pub struct AppInfo {
    pub version: String,
    /// `None` until the runtime has started once (it creates the identity).
    pub peer_id: Option<String>,
    pub short_id: Option<String>,
    pub name: String,
    pub port: Option<u16>,
    pub state_dir: String,
    pub games_dir: Option<String>,
}

enum Phase {
    Stopped,
    Starting,
    Running(Box<Running>),
    Failed(String),
}

struct Running {
    runtime: Runtime,
    bridge: Bridge,
}

/// The app's state, managed by Tauri.
pub struct Host {
    app: AppHandle,
    store: Arc<Store<Wry>>,
    state_dir: PathBuf,
    catalog: Arc<Catalog>,
    catalog_dir: Option<PathBuf>,
    unrar: Option<PathBuf>,
    overrides: Overrides,
    /// Why the environment overrides cannot be used; the runtime does not start then.
    overrides_error: Option<String>,
    name: String,
    log: Arc<LogRing>,
    settings: Mutex<Settings>,
    phase: Mutex<Phase>,
    lifecycle: tokio::sync::Mutex<()>,
    /// Read by commands that claim games, written while a settings change restarts the runtime.
    claims: Arc<tokio::sync::RwLock<()>>,
}

/// A command's hold on the runtime while it claims a game (see [`Host::claim`]).
pub type Claim = tokio::sync::OwnedRwLockReadGuard<()>;

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host").field("state_dir", &self.state_dir).finish_non_exhaustive()
    }
}

/// Locks a mutex whose holders never panic with the state half-changed.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl Host {
    /// Reads the overrides and the saved settings; the runtime starts with [`Host::start`].
    pub fn new(app: &AppHandle, log: Arc<LogRing>) -> Result<Host, String> {
        let (overrides, overrides_error) = match Overrides::from_vars(|name| std::env::var(name).ok()) {
            Ok(o) => (o, None),
            Err(e) => (Overrides::default(), Some(e.to_string())),
        };
        let state_dir = crate::paths::state_dir(app, &overrides)?;
        let path = state_dir.join(settings::FILE);
        let store = tauri_plugin_store::StoreBuilder::new(app, &path)
            .disable_auto_save()
            .build()
            .map_err(|e| format!("cannot open the settings in {}: {e}", state_dir.display()))?;
        // Out of the plugin's save at exit, which overwrites the file in place; see `save`.
        store.close_resource();
        let settings = load_settings(&store, &path);
        Ok(Host {
            app: app.clone(),
            store,
            catalog: Arc::new(Catalog::bundled()),
            catalog_dir: crate::paths::bundled_catalog_dir(app),
            unrar: crate::paths::unrar(&overrides),
            state_dir,
            overrides,
            overrides_error,
            name: settings::display_name(&gethostname::gethostname().to_string_lossy()),
            log,
            settings: Mutex::new(settings),
            phase: Mutex::new(Phase::Stopped),
            lifecycle: tokio::sync::Mutex::new(()),
            claims: Arc::new(tokio::sync::RwLock::new(())),
        })
    }

    /// The running runtime, or why there is none.
    pub fn runtime(&self) -> Result<Runtime, AppError> {
        match &*lock(&self.phase) {
            Phase::Running(running) => Ok(running.runtime.clone()),
            Phase::Stopped => Err(AppError::no_game_folder()),
            Phase::Starting => Err(AppError::starting()),
            Phase::Failed(message) => Err(AppError::StartFailed { message: message.clone() }),
        }
    }

    /// The running runtime for a command that may claim a game, with a hold that keeps a
    /// restarting settings change out until the command has answered. Never waits: while such a
    /// change is being applied, the answer is that Lanparty is starting.
    pub fn claim(&self) -> Result<(Runtime, Claim), AppError> {
        let claim = Arc::clone(&self.claims).try_read_owned().map_err(|_| AppError::starting())?;
        Ok((self.runtime()?, claim))
    }

    pub fn state(&self) -> RuntimeState {
        match &*lock(&self.phase) {
            Phase::Stopped => {
                RuntimeState { state: RuntimePhase::Stopped, message: Some(AppError::no_game_folder().to_string()) }
            }
            Phase::Starting => RuntimeState { state: RuntimePhase::Starting, message: None },
            Phase::Running(_) => RuntimeState { state: RuntimePhase::Running, message: None },
            Phase::Failed(message) => RuntimeState { state: RuntimePhase::Failed, message: Some(message.clone()) },
        }
    }

    fn set_phase(&self, phase: Phase) {
        *lock(&self.phase) = phase;
        let state = self.state();
        if state.state == RuntimePhase::Failed {
            tracing::error!(message = state.message.as_deref().unwrap_or_default(), "the runtime could not start");
        } else {
            tracing::info!(state = ?state.state, "runtime state");
        }
        if let Err(e) = state.emit(&self.app) {
            tracing::warn!(error = %e, "cannot send the runtime state to the window");
        }
    }

    pub fn log(&self) -> &LogRing {
        &self.log
    }

    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }

    pub fn catalog_dir(&self) -> Option<&Path> {
        self.catalog_dir.as_deref()
    }

    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }

    /// The games folder of the running runtime, else the one the settings name.
    pub fn games_dir(&self) -> Option<PathBuf> {
        match self.runtime() {
            Ok(runtime) => Some(runtime.games_dir().to_path_buf()),
            Err(_) => self.wanted_games_dir(&self.settings()),
        }
    }

    fn wanted_games_dir(&self, settings: &Settings) -> Option<PathBuf> {
        settings.games_dir.as_ref().map(PathBuf::from).or_else(|| self.overrides.games_dir.clone())
    }

    pub fn settings(&self) -> Settings {
        let mut settings = lock(&self.settings).clone();
        if settings.games_dir.is_none() {
            settings.games_dir = self.overrides.games_dir.as_ref().map(|d| d.display().to_string());
        }
        settings
    }

    /// The unpack log, read from the state folder (also while no runtime runs).
    pub fn unpack_log(&self) -> Vec<unpack::UnpackRun> {
        match self.runtime() {
            Ok(runtime) => runtime.unpack_log(),
            Err(_) => UnpackLog::new(unpack::log_path(&self.state_dir)).runs(),
        }
    }

    pub fn info(&self) -> AppInfo {
        let runtime = self.runtime().ok();
        AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            peer_id: runtime.as_ref().map(|r| r.peer_id().to_string()),
            short_id: runtime.as_ref().map(|r| r.peer_id().short()),
            name: self.name.clone(),
            port: runtime.as_ref().and_then(Runtime::port),
            state_dir: self.state_dir.display().to_string(),
            games_dir: self.games_dir().map(|d| d.display().to_string()),
        }
    }

    /// Starts the runtime when a games folder is known; at app start.
    pub async fn start(&self) {
        let _guard = self.lifecycle.lock().await;
        self.start_locked(false).await;
    }

    /// Stops the runtime and waits for it; when the app exits.
    pub async fn stop(&self) {
        let _guard = self.lifecycle.lock().await;
        self.stop_locked().await;
        self.set_phase(Phase::Stopped);
    }

    /// Starts a runtime for the current settings. With `exact_peers`, the runtime's manual peers
    /// become those of the settings; else (at app start) the settings' peers are added to those
    /// the state folder keeps.
    async fn start_locked(&self, exact_peers: bool) {
        if let Some(message) = &self.overrides_error {
            self.set_phase(Phase::Failed(message.clone()));
            return;
        }
        let settings = self.settings();
        let Some(games_dir) = self.wanted_games_dir(&settings) else {
            self.set_phase(Phase::Stopped);
            return;
        };
        self.set_phase(Phase::Starting);
        let (runtime, events) = match Runtime::start(self.config(games_dir, &settings)).await {
            Ok(started) => started,
            Err(e) => {
                self.set_phase(Phase::Failed(e.to_string()));
                return;
            }
        };
        let bridge = Bridge::start(self.app.clone(), events);
        let (add, remove) = settings::peer_changes(&runtime.manual_peers().await, &settings.manual_peers);
        let remove = if exact_peers { remove } else { Vec::new() };
        if let Err(message) = apply_peer_changes(&runtime, add, remove).await {
            tracing::warn!(%message, "saved manual peers");
        }
        if let Err(e) = self.keep_peers(&runtime).await {
            tracing::warn!(error = %e, "cannot save the settings");
        }
        self.set_phase(Phase::Running(Box::new(Running { runtime, bridge })));
    }

    async fn stop_locked(&self) {
        let old = std::mem::replace(&mut *lock(&self.phase), Phase::Starting);
        if let Phase::Running(running) = old {
            running.runtime.shutdown().await;
            running.bridge.stop().await;
        }
    }

    fn config(&self, games_dir: PathBuf, settings: &Settings) -> Config {
        let mut config =
            Config::new(games_dir, self.state_dir.clone(), Catalog::clone(&self.catalog), self.name.clone());
        config.port = Some(self.overrides.port.unwrap_or(lanparty_core::net::DEFAULT_PORT));
        config.peers = self.overrides.peers.clone();
        config.mdns = !self.overrides.no_mdns;
        config.upload_limit = settings.upload_limit_bytes();
        config.auto_install = true;
        config.username = settings.username.clone();
        config.language = settings.language.clone();
        config.unpacker = self.unrar.clone().map(|program| {
            let log = UnpackLog::new(unpack::log_path(&self.state_dir));
            Arc::new(Sidecar::new(program, Some(log))) as Arc<dyn Unpacker>
        });
        config
    }

    /// Checks, saves and applies new settings; answers the settings as kept. The manual peers
    /// are not taken from `new`: they change through [`Host::add_peer`] and
    /// [`Host::remove_peer`] only, so a settings form opened before a peer was added cannot
    /// drop it.
    pub async fn set_settings(&self, new: Settings) -> Result<Settings, AppError> {
        let mut new = new.validate()?;
        let _guard = self.lifecycle.lock().await;
        // As the window saw them: the games folder may come from LANPARTY_GAMES_DIR.
        let old = self.settings();
        new.manual_peers.clone_from(&old.manual_peers);
        if new.games_dir != old.games_dir
            && let Some(dir) = new.games_dir.clone()
        {
            let state_dir = self.state_dir.clone();
            let check =
                blocking("checking the game folder", move || settings::check_folder(Path::new(&dir), Some(&state_dir)))
                    .await?;
            if let Some(message) = check.message {
                return Err(AppError::BadFolder { message });
            }
        }
        let running = self.runtime().ok();
        // No command claims a game from here until the restart is done; one that is claiming
        // now shows as a running operation or holds the lock.
        let _claims = match (old.needs_restart(&new), running.is_some()) {
            (true, true) => Some(Arc::clone(&self.claims).try_write_owned().map_err(|_| AppError::Settings {
                message: "a game operation is starting: wait for it, then save the settings again".to_owned(),
                problem: Some(Problem::new("settings.operation-starting")),
            })?),
            _ => None,
        };
        if let Some(runtime) = &running
            && let Some(refusal) =
                settings::restart_refusal(&old, &new, &runtime.operations(), &runtime.recorded_downloads())
        {
            return Err(AppError::Settings { message: refusal.to_string(), problem: Some(refusal.problem()) });
        }
        if old.needs_restart(&new) || running.is_none() {
            self.save(&new)?;
            self.stop_locked().await;
            self.start_locked(true).await;
            return Ok(self.settings());
        }
        let Some(runtime) = running else { return Ok(self.settings()) };
        runtime.set_upload_limit(new.upload_limit_bytes());
        new.manual_peers = runtime.manual_peers().await;
        self.save(&new)?;
        Ok(self.settings())
    }

    /// Adds a manual peer to the running runtime and the settings.
    pub async fn add_peer(&self, addr: &str) -> Result<(), AppError> {
        let _guard = self.lifecycle.lock().await;
        let runtime = self.runtime()?;
        runtime.add_peer(addr.trim()).await?;
        self.keep_peers(&runtime).await
    }

    /// Removes a manual peer from the running runtime and the settings.
    pub async fn remove_peer(&self, addr: &str) -> Result<(), AppError> {
        let _guard = self.lifecycle.lock().await;
        let runtime = self.runtime()?;
        if !runtime.remove_peer(addr.trim()).await? {
            return Err(AppError::Peer {
                message: format!("`{addr}` is neither a saved peer nor connected: check the peers list"),
                problem: Some(Problem::new("peer.unknown-address").with("addr", addr)),
            });
        }
        self.keep_peers(&runtime).await
    }

    /// Saves the runtime's manual peers in the settings.
    async fn keep_peers(&self, runtime: &Runtime) -> Result<(), AppError> {
        let mut settings = lock(&self.settings).clone();
        settings.manual_peers = runtime.manual_peers().await;
        self.save(&settings)
    }

    /// Writes the settings file atomically (a crash leaves the old or the new one) and keeps
    /// the store's copy in step.
    fn save(&self, settings: &Settings) -> Result<(), AppError> {
        let path = self.state_dir.join(settings::FILE);
        let written = std::fs::create_dir_all(&self.state_dir)
            .and_then(|()| lanparty_core::state::write_atomic(&path, &settings::file_bytes(settings)));
        written.map_err(|e| {
            AppError::io(format!(
                "cannot save the settings to {} ({e}): check that the folder is writable",
                path.display()
            ))
        })?;
        let value = serde_json::to_value(settings).map_err(|e| AppError::io(e.to_string()))?;
        self.store.set(settings::FILE_KEY, value);
        *lock(&self.settings) = settings.clone();
        Ok(())
    }
}

/// Adds and removes manual peers; the messages of those that failed.
async fn apply_peer_changes(runtime: &Runtime, add: Vec<String>, remove: Vec<String>) -> Result<(), String> {
    let mut failed = Vec::new();
    for addr in add {
        if let Err(e) = runtime.add_peer(&addr).await {
            failed.push(e.to_string());
        }
    }
    for addr in remove {
        if let Err(e) = runtime.remove_peer(&addr).await {
            failed.push(e.to_string());
        }
    }
    if failed.is_empty() { Ok(()) } else { Err(failed.join("; ")) }
}

/// Runs blocking file-system work (which a network share can stall) off the async threads,
/// giving up after ten seconds with a message naming `what`.
pub async fn blocking<T: Send + 'static>(what: &str, work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    let task = tauri::async_runtime::spawn_blocking(work);
    match tokio::time::timeout(std::time::Duration::from_secs(10), task).await {
        Ok(Ok(done)) => Ok(done),
        Ok(Err(e)) => Err(AppError::io(format!("{what} failed ({e}): try again"))),
        Err(_) => Err(AppError::io(format!(
            "{what} took longer than 10 s: the disk or network share does not answer; check it and try again"
        ))),
    }
}

/// The saved settings, read field by field ([`settings::from_saved`]); first-run settings when
/// there are none. A file that is not JSON at all is kept aside as `settings.json.unreadable`
/// rather than overwritten, and the log says so.
fn load_settings(store: &Store<Wry>, path: &Path) -> Settings {
    let login = ["USER", "USERNAME"].iter().find_map(|v| std::env::var(v).ok());
    if path.exists()
        && let Err(e) = store.reload()
    {
        let aside = path.with_extension("json.unreadable");
        match std::fs::rename(path, &aside) {
            Ok(()) => {
                tracing::warn!(error = %e, kept = %aside.display(), "the settings file is unreadable; starting from the defaults")
            }
            Err(moved) => {
                tracing::warn!(error = %e, %moved, "the settings file is unreadable and cannot be moved aside")
            }
        }
    }
    let Some(value) = store.get(settings::FILE_KEY) else { return Settings::initial(login.as_deref()) };
    let (settings, notes) = settings::from_saved(&value, login.as_deref());
    for note in notes {
        tracing::warn!(%note, "a saved setting is unusable; using its default");
    }
    settings
}
