//! The Lanparty desktop shell: the Tauri app that hosts the SolidJS frontend.
//!
//! The shell stays thin. Each command is a one-line call into the headless peer runtime, and
//! all state and decisions live there, so the runtime is testable without a window.

/// Version of the app, for the about screen and for bug reports.
#[tauri::command]
fn app_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// Builds the app and runs its event loop until the last window closes.
///
/// # Errors
///
/// Returns an error if the app cannot start, for example when no display is available or the
/// webview fails to initialise.
pub fn run() -> tauri::Result<()> {
    tauri::Builder::default().invoke_handler(tauri::generate_handler![app_version]).run(tauri::generate_context!())
}
