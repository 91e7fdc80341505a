//! Entry point of the Lanparty desktop app; everything else lives in the `lanparty_app` library.

// Without this, release builds on Windows open a console window next to the app. Debug builds
// keep the console for logs.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    if let Err(error) = lanparty_app::run() {
        eprintln!("lanparty: the app could not start: {error}");
        std::process::exit(1);
    }
}
