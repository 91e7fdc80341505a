//! The `lanparty-peer` contract, run as a real process in a temp dir.

#![allow(clippy::unwrap_used)] // a test fails by panicking

mod common;

use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

use common::{BIN, Dirs, Peer, make_game, str_args};

fn game<'a>(games: &'a Value, id: &str) -> &'a Value {
    games["games"].as_array().unwrap().iter().find(|g| g["id"] == id).unwrap_or_else(|| panic!("no {id} in {games}"))
}

#[test]
fn ready_first_then_commands_answer() {
    let dirs = Dirs::new();
    make_game(&dirs.games, "openarena", "0.8.8", &[7u8; 5000]);
    std::fs::create_dir(dirs.games.join("not-a-game")).unwrap();
    let mut peer = Peer::spawn(&str_args(&dirs.args()));

    let ready = peer.next(Duration::from_secs(20)).expect("a first line");
    assert_eq!(ready["type"], "ready", "first line: {ready}");
    assert_eq!(ready["peer_id"].as_str().unwrap().len(), 52);
    assert_eq!(ready["games_dir"], dirs.games.display().to_string());

    peer.expect("scan-finished");
    let games = peer.ask(json!({"cmd": "list-games"}), "games");
    let oa = game(&games, "openarena");
    assert_eq!(oa["title"], "OpenArena");
    assert_eq!(oa["version"], "0.8.8");
    assert_eq!(
        (oa["downloaded"].as_bool(), oa["installed"].as_bool(), oa["shareable"].as_bool()),
        (Some(true), Some(false), Some(true))
    );
    assert_eq!(oa["manifest_hash"].as_str().unwrap().len(), 64);
    assert_eq!(oa["size"], 5000 + 5);
    let ignored = games["ignored"].as_array().unwrap();
    assert!(ignored.iter().any(|i| i["name"] == "not-a-game" && i["reason"].as_str().unwrap().contains("catalog")));

    let status = peer.ask(json!({"cmd": "status"}), "status");
    assert_eq!(status["peer_id"], ready["peer_id"]);
    assert_eq!(status["library"]["shareable"], 1);

    let rescanned = peer.ask(json!({"cmd": "rescan"}), "rescanned");
    assert_eq!(rescanned["hashed_bytes"], 0);

    assert!(peer.shutdown().success());
}

#[test]
fn identity_persists_in_the_state_dir() {
    let dirs = Dirs::new();
    let id = |dirs: &Dirs| {
        let mut peer = Peer::spawn(&str_args(&dirs.args()));
        let ready = peer.expect("ready");
        assert!(peer.shutdown().success());
        ready["peer_id"].clone()
    };
    assert_eq!(id(&dirs), id(&dirs));
}

#[test]
fn bad_lines_get_specific_errors_and_the_peer_keeps_running() {
    let dirs = Dirs::new();
    let mut peer = Peer::spawn(&str_args(&dirs.args()));
    peer.expect("ready");

    peer.send_raw("this is not json\n");
    let e = peer.expect("error");
    assert!(e["message"].as_str().unwrap().contains("not JSON"), "{e}");

    peer.send(json!({"cmd": "dance"}));
    let e = peer.expect("error");
    assert_eq!(e["cmd"], "dance");
    assert!(e["message"].as_str().unwrap().contains("unknown command `dance`"), "{e}");

    peer.send(json!({"nocmd": 1}));
    assert!(peer.expect("error")["message"].as_str().unwrap().contains("missing \"cmd\""));

    peer.send_raw(&format!("{}\n", "x".repeat(2 * 1024 * 1024)));
    assert!(peer.expect("error")["message"].as_str().unwrap().contains("longer than"));

    // Still answering, and end of input does not stop a serving peer.
    peer.ask(json!({"cmd": "status"}), "status");
    assert!(peer.shutdown().success());
}

/// Sends SIGTERM and returns the exit code, if the peer exits within `within`.
fn terminate(peer: &mut Peer, within: Duration) -> Option<i32> {
    let killed = Command::new("kill").args(["-TERM", &peer.pid().to_string()]).status().unwrap();
    assert!(killed.success());
    peer.wait(within).and_then(|status| status.code())
}

#[test]
fn end_of_input_keeps_serving_until_sigterm() {
    let dirs = Dirs::new();
    let mut peer = Peer::spawn(&str_args(&dirs.args()));
    peer.expect("ready");
    peer.close_stdin();
    assert!(peer.wait(Duration::from_millis(500)).is_none(), "peer exited at end of input");
    assert_eq!(terminate(&mut peer, Duration::from_secs(20)), Some(0));
}

#[test]
fn missing_or_file_games_folder_is_reported_and_the_peer_runs_on() {
    let dirs = Dirs::new();
    let missing = dirs.tmp.path().join("usb-drive");
    let args = [
        "--games-dir",
        missing.to_str().unwrap(),
        "--state-dir",
        dirs.state.to_str().unwrap(),
        "--port",
        "0",
        "--no-mdns",
    ];
    let mut peer = Peer::spawn(&args);
    peer.expect("ready");
    let e = peer.expect("error");
    assert!(e["message"].as_str().unwrap().contains("does not exist"), "{e}");
    let status = peer.ask(json!({"cmd": "status"}), "status");
    assert_eq!(status["library"]["available"], false);

    // The drive is plugged in: the peer picks it up on its own.
    std::fs::create_dir(&missing).unwrap();
    make_game(&missing, "xonotic", "0.8.6", b"archive");
    peer.expect_where("library-changed", Duration::from_secs(20), |l| {
        l["games"].as_array().unwrap().iter().any(|g| g["id"] == "xonotic" && g["shareable"] == true)
    });
    assert!(peer.shutdown().success());

    let file = dirs.tmp.path().join("a-file");
    std::fs::write(&file, b"").unwrap();
    let mut peer = Peer::spawn(&[
        "--games-dir",
        file.to_str().unwrap(),
        "--state-dir",
        dirs.state.to_str().unwrap(),
        "--port",
        "0",
        "--no-mdns",
    ]);
    peer.expect("ready");
    assert!(peer.expect("error")["message"].as_str().unwrap().contains("is not a folder"));
    assert!(peer.shutdown().success());
}

#[test]
fn unusable_state_dir_exits_3_with_an_error_line() {
    let dirs = Dirs::new();
    let blocker = dirs.tmp.path().join("blocker");
    std::fs::write(&blocker, b"a file").unwrap();
    let state = blocker.join("state");
    let out = Command::new(BIN)
        .args(["--games-dir", dirs.games.to_str().unwrap(), "--state-dir", state.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["type"], "error");
    assert!(line["message"].as_str().unwrap().contains("--state-dir"), "{line}");
}

#[test]
fn invalid_catalog_exits_4_naming_file_line_column_field() {
    let dirs = Dirs::new();
    let catalog = dirs.tmp.path().join("party.json");
    std::fs::write(&catalog, "{\"schema_version\": 1,\n \"games\": [{\"id\": \"Not A Slug\"}]}").unwrap();
    let mut args = dirs.args();
    args.extend(["--catalog".into(), catalog.display().to_string()]);
    let out = Command::new(BIN).args(&args).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    let message = line["message"].as_str().unwrap();
    assert!(message.contains(&format!("{}:2:", catalog.display())), "{message}");
    assert!(message.contains("field `games[0].id`"), "{message}");
}

#[test]
fn organiser_catalog_replaces_the_bundled_one() {
    let dirs = Dirs::new();
    let catalog = dirs.tmp.path().join("party.json");
    std::fs::write(
        &catalog,
        r#"{"schema_version":1,"games":[{"id":"our-mod","title":"Our Mod","description":"","genre":"Mod",
            "players":{"min":2,"max":8},"version":"7","approx_size_bytes":10,"can_host_server":false}]}"#,
    )
    .unwrap();
    make_game(&dirs.games, "our-mod", "7", b"x");
    make_game(&dirs.games, "openarena", "0.8.8", b"x");
    let mut args = dirs.args();
    args.extend(["--catalog".into(), catalog.display().to_string()]);
    let mut peer = Peer::spawn(&str_args(&args));
    peer.expect("scan-finished");
    let games = peer.ask(json!({"cmd": "list-games"}), "games");
    assert_eq!(game(&games, "our-mod")["shareable"], true);
    assert!(games["ignored"].as_array().unwrap().iter().any(|i| i["name"] == "openarena"));
    assert!(peer.shutdown().success());
}

#[test]
fn help_documents_flags_and_exit_codes() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in ["--games-dir", "--state-dir", "--catalog", "--name", "Exit codes", "4  the catalog"] {
        assert!(text.contains(needle), "--help lacks {needle}:\n{text}");
    }
    let out = Command::new(BIN).arg("--no-such-flag").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// As root nothing is unreadable, so when the tests run as root the peer runs as `nobody`.
#[cfg(unix)]
#[test]
fn an_unreadable_file_fails_its_game_only() {
    use std::os::unix::fs::PermissionsExt;
    let dirs = Dirs::new();
    make_game(&dirs.games, "openarena", "0.8.8", b"fine");
    let broken = make_game(&dirs.games, "xonotic", "0.8.6", b"locked");
    std::fs::set_permissions(broken.join("xonotic.rar"), std::fs::Permissions::from_mode(0o000)).unwrap();

    let is_root = Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0\n")).unwrap_or(false);
    let mut peer = if is_root {
        // `nobody` must reach everything but the locked file.
        for dir in [dirs.tmp.path(), &dirs.games] {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        }
        let mut command = Command::new("setpriv");
        command.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--", BIN]);
        Peer::spawn_command(command, &str_args(&dirs.args()))
    } else {
        Peer::spawn(&str_args(&dirs.args()))
    };
    peer.expect("scan-finished");
    let games = peer.ask(json!({"cmd": "list-games"}), "games");
    assert_eq!(game(&games, "openarena")["shareable"], true);
    let x = game(&games, "xonotic");
    assert_eq!(x["shareable"], false);
    let reason = x["reason"].as_str().unwrap();
    assert!(reason.contains("cannot read xonotic.rar") && reason.contains("ermission denied"), "{reason}");
    assert!(peer.shutdown().success());
}

/// A host that keeps the input open (a terminal, a supervisor) must still be able to stop the
/// peer with SIGTERM.
#[test]
fn sigterm_stops_the_peer_while_its_input_is_open() {
    let dirs = Dirs::new();
    let mut peer = Peer::spawn(&str_args(&dirs.args()));
    peer.expect("ready");
    peer.expect("scan-finished");
    assert_eq!(terminate(&mut peer, Duration::from_secs(10)), Some(0), "exits on SIGTERM with stdin open");
}
