//! The commands the frontend calls, named `domain_verb`; each is one call into the runtime or
//! the host. tauri-specta turns them into typed functions in `src/bindings.ts`.

use std::sync::Arc;

use lanparty_core::GameId;
use lanparty_core::applog::LogLine;
use lanparty_core::catalog;
use lanparty_core::discovery::NetworkDiagnosis;
use lanparty_core::install::unpack::UnpackRun;
use lanparty_core::launch::logs::{self, ServerLog};
use lanparty_core::launch::play::Launched;
use lanparty_core::runtime::{LibrarySnapshot, LibraryStatus, PeerInfo, ScanReport};
use lanparty_core::settings::{self, FolderCheck, Settings};
use lanparty_core::transfer::Started;
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt;

use crate::error::AppError;
use crate::host::{AppInfo, Host, RuntimeState, blocking};

type HostState<'a> = State<'a, Arc<Host>>;

/// Local games and games only peers have, with what peers hold.
#[tauri::command]
#[specta::specta]
pub async fn library_list(host: HostState<'_>) -> Result<LibrarySnapshot, AppError> {
    Ok(host.runtime()?.list_games().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn library_status(host: HostState<'_>) -> Result<LibraryStatus, AppError> {
    Ok(host.runtime()?.library_status().await?)
}

/// Rescans the whole games folder; answers when the scan is done.
#[tauri::command]
#[specta::specta]
pub async fn library_rescan(host: HostState<'_>) -> Result<ScanReport, AppError> {
    Ok(host.runtime()?.rescan().await?)
}

/// Starts (or resumes) downloading a game; `download-*` events follow.
#[tauri::command]
#[specta::specta]
pub async fn game_download(host: HostState<'_>, game: String) -> Result<Started, AppError> {
    let (runtime, _claim) = host.claim()?;
    Ok(runtime.download(&game).await?)
}

/// Downloads the newest version of a downloaded game.
#[tauri::command]
#[specta::specta]
pub async fn game_update(host: HostState<'_>, game: String) -> Result<Started, AppError> {
    let (runtime, _claim) = host.claim()?;
    Ok(runtime.update(&game).await?)
}

/// Cancels a download or an extraction.
#[tauri::command]
#[specta::specta]
pub async fn game_cancel(host: HostState<'_>, game: String) -> Result<(), AppError> {
    Ok(host.runtime()?.cancel(&game).await?)
}

/// Installs a downloaded game (or updates its installation); `install-*` events follow.
#[tauri::command]
#[specta::specta]
pub async fn game_install(host: HostState<'_>, game: String) -> Result<(), AppError> {
    let (runtime, _claim) = host.claim()?;
    runtime.install(&game).await.map(drop).map_err(AppError::from)
}

#[tauri::command]
#[specta::specta]
pub async fn game_uninstall(host: HostState<'_>, game: String) -> Result<(), AppError> {
    let (runtime, _claim) = host.claim()?;
    Ok(runtime.uninstall(&game).await?)
}

/// Deletes a downloaded, uninstalled game's folder.
#[tauri::command]
#[specta::specta]
pub async fn game_remove(host: HostState<'_>, game: String) -> Result<(), AppError> {
    let (runtime, _claim) = host.claim()?;
    Ok(runtime.remove(&game).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn game_play(host: HostState<'_>, game: String) -> Result<Launched, AppError> {
    let (runtime, _claim) = host.claim()?;
    Ok(runtime.play(&game).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn game_start_server(host: HostState<'_>, game: String) -> Result<Launched, AppError> {
    let (runtime, _claim) = host.claim()?;
    Ok(runtime.start_server(&game).await?)
}

/// Opens the game's folder in the file manager.
#[tauri::command]
#[specta::specta]
pub async fn game_show_files(app: AppHandle, host: HostState<'_>, game: String) -> Result<(), AppError> {
    let id = GameId::new(&game).map_err(|e| AppError::io(format!("`{game}` is not a game ({e})")))?;
    let dir = host.runtime()?.games_dir().join(id.as_str());
    let probed = dir.clone();
    if !blocking("looking for the game's folder", move || probed.is_dir()).await? {
        return Err(AppError::io(format!("{} does not exist: download the game first", dir.display())));
    }
    let shown = dir.display().to_string();
    app.opener()
        .open_path(shown.clone(), None::<&str>)
        .map_err(|e| AppError::io(format!("cannot open {shown} ({e}): open it in your file manager")))
}

/// The game's cover as a `data:` URL, or `None` when it has none.
#[tauri::command]
#[specta::specta]
pub async fn game_cover(host: HostState<'_>, game: String) -> Result<Option<String>, AppError> {
    let Ok(id) = GameId::new(&game) else { return Ok(None) };
    let games_dir = host.games_dir();
    let (catalog, catalog_dir) = (Arc::clone(host.catalog()), host.catalog_dir().map(ToOwned::to_owned));
    blocking("reading the cover", move || {
        let path = catalog::cover_path(&catalog, catalog_dir.as_deref(), games_dir.as_deref(), &id);
        path.map(|p| catalog::cover_data_url(&p)).transpose()
    })
    .await?
    .map_err(AppError::from)
}

/// Connected peers, by name.
#[tauri::command]
#[specta::specta]
pub async fn peers_list(host: HostState<'_>) -> Result<Vec<PeerInfo>, AppError> {
    Ok(host.runtime()?.peers())
}

/// Dials a peer by address (`HOST:PORT`) now and at every start, until removed.
#[tauri::command]
#[specta::specta]
pub async fn peers_add(host: HostState<'_>, addr: String) -> Result<(), AppError> {
    host.add_peer(&addr).await
}

#[tauri::command]
#[specta::specta]
pub async fn peers_remove(host: HostState<'_>, addr: String) -> Result<(), AppError> {
    host.remove_peer(&addr).await
}

/// The network as this computer sees it, with hints for when peers do not appear.
#[tauri::command]
#[specta::specta]
pub async fn peers_diagnose(host: HostState<'_>) -> Result<NetworkDiagnosis, AppError> {
    Ok(host.runtime()?.diagnose_network().await)
}

/// Games with an operation running, and which (`download`, `install`, ...).
#[tauri::command]
#[specta::specta]
pub async fn operations_list(host: HostState<'_>) -> Result<Vec<(String, String)>, AppError> {
    Ok(host.runtime()?.operations())
}

/// The last runs of the RAR extractor, oldest first.
#[tauri::command]
#[specta::specta]
pub async fn unpack_log(host: HostState<'_>) -> Result<Vec<UnpackRun>, AppError> {
    Ok(host.unpack_log())
}

/// The logs of servers started without a console, newest first, each its last 64 KiB.
#[tauri::command]
#[specta::specta]
pub async fn server_logs(host: HostState<'_>) -> Result<Vec<ServerLog>, AppError> {
    let state_dir = host.state_dir().to_path_buf();
    blocking("reading the server logs", move || logs::server_logs(&state_dir, logs::SERVER_LOG_TAIL)).await
}

/// The app's own log lines, oldest first.
#[tauri::command]
#[specta::specta]
pub async fn app_log(host: HostState<'_>) -> Result<Vec<LogLine>, AppError> {
    Ok(host.log().lines())
}

#[tauri::command]
#[specta::specta]
pub async fn settings_get(host: HostState<'_>) -> Result<Settings, AppError> {
    Ok(host.settings())
}

/// Checks, saves and applies settings; a new games folder or player restarts the runtime.
#[tauri::command]
#[specta::specta]
pub async fn settings_set(host: HostState<'_>, settings: Settings) -> Result<Settings, AppError> {
    host.set_settings(settings).await
}

/// Whether a folder can be the games folder, and what to do when it cannot.
#[tauri::command]
#[specta::specta]
pub async fn settings_check_folder(host: HostState<'_>, path: String) -> Result<FolderCheck, AppError> {
    let state_dir = host.state_dir().to_path_buf();
    blocking("checking the folder", move || settings::check_folder(std::path::Path::new(&path), Some(&state_dir))).await
}

#[tauri::command]
#[specta::specta]
pub fn app_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

#[tauri::command]
#[specta::specta]
pub async fn app_info(host: HostState<'_>) -> Result<AppInfo, AppError> {
    Ok(host.info())
}

/// The runtime's state now; `runtime-state` events tell its changes.
#[tauri::command]
#[specta::specta]
pub async fn app_status(host: HostState<'_>) -> Result<RuntimeState, AppError> {
    Ok(host.state())
}
