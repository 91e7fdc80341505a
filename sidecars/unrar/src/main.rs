//! `lanparty-unrar`: the RAR extractor sidecar.
//!
//! The runtime runs it as a subprocess so that a crash in the C++ unpacking code cannot take
//! down the peer. It speaks versioned JSON lines on stdout. This build answers `version` only;
//! `list` and `extract` arrive with the install subsystem.
//!
//! Exit codes: 0 success, 2 usage error.

use std::process::ExitCode;

/// Version of the JSON lines this sidecar prints.
const PROTOCOL: u32 = 1;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("version") | Some("--version") => {
            let line = serde_json::json!({
                "type": "version",
                "protocol": PROTOCOL,
                "version": env!("CARGO_PKG_VERSION"),
            });
            println!("{line}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("usage: lanparty-unrar version");
            ExitCode::from(2)
        }
    }
}
