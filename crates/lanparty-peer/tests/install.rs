//! Installs by real `lanparty-peer` processes with the real `lanparty-unrar` sidecar: a download
//! that installs itself, install and uninstall commands, the unpack log, and a peer killed with
//! SIGKILL before each step of an update (fault points of the `test-faults` feature), after which
//! the next start leaves exactly the old or the new installation; an extraction cancelled or
//! killed halfway (the sidecar's own `test-faults` stall, so the workspace's tests run with
//! `--features lanparty-peer/test-faults,lanparty-unrar/test-faults`).

#![allow(clippy::unwrap_used)] // a test fails by panicking

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use common::{Dirs, Peer, str_args};
use lanparty_testkit::rar5;

const GAME: &str = "openarena";

/// The sidecar beside the peer binary: the workspace's `cargo test` builds both.
fn unrar() -> PathBuf {
    let path = Path::new(common::BIN).with_file_name(format!("lanparty-unrar{}", std::env::consts::EXE_SUFFIX));
    assert!(path.is_file(), "{} is missing: build it with `cargo build -p lanparty-unrar`", path.display());
    path
}

/// A downloaded game whose archive holds `files`; version.ini says `version`.
fn write_game(games: &Path, version: &str, files: &[(&str, &[u8])]) {
    let root = games.join(GAME);
    std::fs::create_dir_all(&root).unwrap();
    rar5::write_archive(&root.join("openarena.rar"), files).unwrap();
    std::fs::write(root.join("version.ini"), version).unwrap();
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    for name in ["openarena.rar", "version.ini"] {
        std::fs::File::options().write(true).open(root.join(name)).unwrap().set_modified(hour_ago).unwrap();
    }
}

fn start(dirs: &Dirs, extra: &[&str], env: &[(&str, &str)]) -> Peer {
    let mut args = dirs.args();
    args.extend(["--unrar".into(), unrar().display().to_string()]);
    args.extend(extra.iter().map(|s| s.to_string()));
    let mut command = Command::new(common::BIN);
    command.envs(env.iter().copied());
    let mut peer = Peer::spawn_command(command, &str_args(&args));
    peer.expect("ready");
    peer
}

/// Every file under `dir`, with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read(e.path()).unwrap());
            }
        }
    }
    out
}

fn expected(files: &[(&str, &[u8])]) -> BTreeMap<String, Vec<u8>> {
    files.iter().map(|(p, d)| (p.to_string(), d.to_vec())).collect()
}

fn installed(peer: &mut Peer) -> Value {
    let games = peer.ask(json!({"cmd": "list-games"}), "games");
    games["games"].as_array().unwrap().iter().find(|g| g["id"] == GAME).cloned().unwrap_or(Value::Null)
}

/// Names in the game root besides the archive and version.ini.
fn root_extras(games: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(games.join(GAME))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "openarena.rar" && n != "version.ini")
        .collect();
    names.sort();
    names
}

const V1: &[(&str, &[u8])] = &[("game_start.sh", b"#!/bin/sh\necho v1\n"), ("baseq3/pak0.pk3", b"old data")];
const V2: &[(&str, &[u8])] = &[("game_start.sh", b"#!/bin/sh\necho v2\n"), ("baseq3/pak1.pk3", b"new data")];

#[test]
fn a_download_installs_itself_and_uninstall_removes_only_local() {
    let seed_dirs = Dirs::new();
    write_game(&seed_dirs.games, "1", V1);
    let seed = start(&seed_dirs, &["--no-auto-install"], &[]);
    // The seed's port, from its ready line.
    let seed_port = seed.seen[0]["port"].as_u64().unwrap();
    let dirs = Dirs::new();
    let mut peer = start(&dirs, &["--peer", &format!("127.0.0.1:{seed_port}")], &[]);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while installed(&mut peer)["copies"].as_array().is_none_or(Vec::is_empty) {
        assert!(std::time::Instant::now() < deadline, "the seed's game never showed");
        std::thread::sleep(Duration::from_millis(100));
    }
    peer.ask(json!({"cmd": "download", "game": GAME}), "downloading");
    peer.expect_where("download-finished", Duration::from_secs(60), |_| true);
    peer.expect_where("install-started", Duration::from_secs(20), |l| l["update"] == false);
    let done = peer.expect_where("install-finished", Duration::from_secs(60), |_| true);
    assert_eq!(done["game"], GAME);
    assert!(!peer.seen.iter().any(|l| l["type"] == "install-failed"), "{:#?}", peer.seen);
    assert_eq!(tree(&dirs.games.join(GAME).join("local")), expected(V1));
    assert_eq!(installed(&mut peer)["installed"], true, "the library says installed when the event comes");
    assert!(root_extras(&dirs.games).iter().all(|n| n == "local"), "{:?}", root_extras(&dirs.games));

    let log = peer.ask(json!({"cmd": "unpack-log", "game": GAME}), "unpack-log");
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["exit"], 0);

    // Install again: it is an update of the same version, and it works.
    let answer = peer.ask(json!({"cmd": "install", "game": GAME}), "installing");
    assert_eq!(answer["update"], true);
    peer.expect_where("install-finished", Duration::from_secs(60), |l| l["update"] == true);

    peer.ask(json!({"cmd": "uninstall", "game": GAME}), "uninstalled");
    peer.expect("uninstall-finished");
    assert!(!dirs.games.join(GAME).join("local").exists());
    assert!(dirs.games.join(GAME).join("openarena.rar").is_file(), "the downloaded archives stay");
    assert_eq!(installed(&mut peer)["installed"], false);
    let e = peer.ask(json!({"cmd": "uninstall", "game": GAME}), "error");
    assert!(e["message"].as_str().unwrap().contains("not installed"), "{e}");
    let e = peer.ask(json!({"cmd": "install", "game": "quake3"}), "error");
    assert!(e["message"].as_str().unwrap().contains("not downloaded"), "{e}");
    assert!(peer.shutdown().success());
    assert!(seed.shutdown().success());
}

#[test]
fn a_damaged_archive_fails_the_install_with_the_entry_named_and_changes_nothing() {
    let dirs = Dirs::new();
    write_game(&dirs.games, "1", V1);
    let mut peer = start(&dirs, &[], &[]);
    peer.ask(json!({"cmd": "install", "game": GAME}), "installing");
    peer.expect("install-finished");
    // A second version whose archive carries a wrong checksum.
    let root = dirs.games.join(GAME);
    let mut w = rar5::Writer::create(&root.join("openarena.rar")).unwrap();
    w.add(&rar5::Entry::file("game_start.sh", 3).wrong_crc(), &b"bad"[..]).unwrap();
    w.finish().unwrap();
    peer.ask(json!({"cmd": "install", "game": GAME}), "installing");
    let failed = peer.expect("install-failed");
    assert!(failed["reason"].as_str().unwrap().contains("game_start.sh"), "{failed}");
    assert_eq!(failed["problem"]["code"], "unpack.corrupt", "{failed}");
    assert_eq!(tree(&root.join("local")), expected(V1));
    assert_eq!(root_extras(&dirs.games), ["local"]);
    assert!(peer.shutdown().success());
}

/// SIGKILL before each step of an update, twice each: after the restart (recovery runs at
/// start), `local/` is exactly the old or the new installation and no reserved folder is left.
#[test]
fn an_update_killed_before_any_step_recovers_to_the_old_or_the_new_install() {
    for step in ["preparing", "swap-out-old", "swap-in-new", "drop-backup", "drop-staging"] {
        for round in 0..2 {
            let dirs = Dirs::new();
            write_game(&dirs.games, "1", V1);
            let mut peer = start(&dirs, &[], &[]);
            peer.ask(json!({"cmd": "install", "game": GAME}), "installing");
            peer.expect("install-finished");
            assert!(peer.shutdown().success());
            write_game(&dirs.games, "2", V2);

            let mut doomed = start(&dirs, &[], &[("LANPARTY_TEST_KILL_BEFORE", step)]);
            // Not `ask`: the peer may die before its answer is out.
            doomed.send(json!({"cmd": "install", "game": GAME}));
            let status = doomed.wait(Duration::from_secs(30)).expect("the fault point kills the peer");
            assert!(!status.success(), "{step}: {status:?}");

            let peer = start(&dirs, &[], &[]);
            let local = tree(&dirs.games.join(GAME).join("local"));
            let (old, new) = (expected(V1), expected(V2));
            assert!(local == old || local == new, "{step} #{round}: a mix: {:?}", local.keys());
            // Before swap-in-new the new install is not complete in local/ yet: the old one stays
            // or the update is finished; after it, the new one must be there.
            if matches!(step, "drop-backup" | "drop-staging") {
                assert_eq!(local, new, "{step}");
            }
            assert_eq!(root_extras(&dirs.games), ["local"], "{step} #{round}: reserved folders left");
            assert!(!dirs.state.join("intents").join(format!("{GAME}.json")).exists(), "{step}");
            assert!(peer.shutdown().success());
        }
    }
}

/// Processes whose command line mentions `needle` (Linux's /proc).
fn processes_with(needle: &str) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    dir.filter_map(|e| {
        let pid: u32 = e.ok()?.file_name().to_str()?.parse().ok()?;
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
        String::from_utf8_lossy(&cmdline).contains(needle).then_some(pid)
    })
    .collect()
}

/// Waits until the sidecar stalled (the test fault) with part of the new version in staging.
fn wait_for_half_extracted(games: &Path) {
    let payload = games.join(GAME).join(".lanparty-staging").join("local");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::fs::read_dir(&payload).map_or(true, |mut d| d.next().is_none()) {
        assert!(
            std::time::Instant::now() < deadline,
            "the extraction never stalled halfway: build the sidecar with --features lanparty-unrar/test-faults"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// An update stopped in the middle of extracting, by a cancel and by SIGKILL of the peer: the
/// sidecar goes away with it, and the old installation is there byte for byte, with nothing
/// reserved left (after a restart, for the kill).
#[test]
fn an_update_cancelled_or_killed_mid_extraction_keeps_the_old_install_and_no_sidecar() {
    let dirs = Dirs::new();
    write_game(&dirs.games, "1", V1);
    let mut peer = start(&dirs, &[], &[]);
    peer.ask(json!({"cmd": "install", "game": GAME}), "installing");
    peer.expect("install-finished");
    assert!(peer.shutdown().success());
    let v2: Vec<(&str, &[u8])> =
        vec![("a.pk3", b"first"), ("b.pk3", b"second"), ("c.pk3", b"third"), ("game_start.sh", b"v2")];
    write_game(&dirs.games, "2", &v2);
    let staging = dirs.games.join(GAME).join(".lanparty-staging");
    let stall = [("LANPARTY_UNRAR_TEST_STALL_AFTER_ENTRIES", "1")];

    // Cancel: answered after the sidecar is stopped and the staging folder is gone.
    let mut peer = start(&dirs, &[], &stall);
    peer.ask(json!({"cmd": "install", "game": GAME}), "installing");
    wait_for_half_extracted(&dirs.games);
    let started = std::time::Instant::now();
    peer.ask(json!({"cmd": "cancel", "game": GAME}), "cancelled");
    assert!(started.elapsed() < Duration::from_secs(5), "cancel took {:?}", started.elapsed());
    let cancelled = peer.expect("install-cancelled");
    assert_eq!(cancelled["update"], true);
    assert!(!peer.seen.iter().any(|l| l["type"] == "install-failed"), "{:#?}", peer.seen);
    assert_eq!(tree(&dirs.games.join(GAME).join("local")), expected(V1));
    assert_eq!(root_extras(&dirs.games), ["local"]);
    assert!(processes_with(&staging.display().to_string()).is_empty(), "the sidecar outlived the cancel");
    let e = peer.ask(json!({"cmd": "cancel", "game": GAME}), "error");
    assert!(e["message"].as_str().unwrap().contains("nothing to cancel"), "{e}");
    assert!(peer.shutdown().success());

    // SIGKILL of the peer: its sidecar notices the closed pipe and exits too.
    let mut doomed = start(&dirs, &[], &stall);
    doomed.ask(json!({"cmd": "install", "game": GAME}), "installing");
    wait_for_half_extracted(&dirs.games);
    let needle = staging.display().to_string();
    assert_eq!(processes_with(&needle).len(), 1, "one sidecar extracts");
    drop(doomed); // SIGKILL
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !processes_with(&needle).is_empty() {
        assert!(std::time::Instant::now() < deadline, "the sidecar kept running after its peer died");
        std::thread::sleep(Duration::from_millis(50));
    }
    let peer = start(&dirs, &[], &[]);
    assert_eq!(tree(&dirs.games.join(GAME).join("local")), expected(V1));
    assert_eq!(root_extras(&dirs.games), ["local"], "reserved folders left");
    assert!(!dirs.state.join("intents").join(format!("{GAME}.json")).exists());
    assert!(peer.shutdown().success());
}

/// Polls until `path` exists (a launched script runs on its own), then reads it.
fn read_when_there(path: &Path) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            if text.ends_with('\n') {
                return text;
            }
        }
        assert!(std::time::Instant::now() < deadline, "{} never appeared", path.display());
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn play_stamps_the_name_runs_setup_once_and_passes_name_and_language_then_remove_deletes_the_game() {
    const GAME_FILES: &[(&str, &[u8])] = &[
        // It also talks on stdout, which must not reach the peer's JSON lines.
        ("game_setup.sh", b"echo setting up\nprintf '%s\\n' \"$@\" >> setup_calls.txt\n"),
        ("game_start.sh", b"printf '%s\\n' \"$@\" > played_args.txt\n"),
        ("server_start.sh", b"printf '%s\\n' \"$@\" > server_args.txt\n"),
        ("account_name.txt", b"Someone"),
        ("steam_settings/language.txt", b"english"),
        (
            "bin/SmartSteamEmu.ini",
            b"[Launcher]\r\nTarget=game.exe\r\n[SmartSteamEmu]\r\nPersonaName = Someone\r\nLanguage=english\r\n",
        ),
    ];
    let dirs = Dirs::new();
    write_game(&dirs.games, "1", GAME_FILES);
    let mut peer = start(&dirs, &["--username", "Jörg [LAN]", "--language", "german"], &[]);
    peer.ask(json!({"cmd": "install", "game": GAME}), "installing");
    peer.expect("install-finished");
    let local = dirs.games.join(GAME).join("local");

    let first = peer.ask(json!({"cmd": "play", "game": GAME}), "launched");
    assert_eq!(first["setup_ran"], true, "{first}");
    peer.expect_where("game-launched", Duration::from_secs(10), |l| l["server"] == false);
    assert_eq!(read_when_there(&local.join("played_args.txt")), "Jörg [LAN]\ngerman\n");
    assert_eq!(std::fs::read_to_string(local.join("account_name.txt")).unwrap(), "Jörg [LAN]");
    assert_eq!(std::fs::read_to_string(local.join("steam_settings/language.txt")).unwrap(), "german");
    assert_eq!(
        std::fs::read_to_string(local.join("bin/SmartSteamEmu.ini")).unwrap(),
        "[Launcher]\r\nTarget=game.exe\r\n[SmartSteamEmu]\r\nPersonaName = Jörg [LAN]\r\nLanguage=english\r\n"
    );
    std::fs::remove_file(local.join("played_args.txt")).unwrap();
    let second = peer.ask(json!({"cmd": "play", "game": GAME}), "launched");
    assert_eq!(second["setup_ran"], false, "{second}");
    read_when_there(&local.join("played_args.txt"));
    assert_eq!(
        std::fs::read_to_string(local.join("setup_calls.txt")).unwrap(),
        "Jörg [LAN]\ngerman\n",
        "setup ran once"
    );

    // No terminal here (or no display): the server's output goes to a log, and it runs.
    let server = peer.ask(json!({"cmd": "start-server", "game": GAME}), "server-started");
    assert_eq!(server["script"], "server_start.sh");
    assert_eq!(read_when_there(&local.join("server_args.txt")), "Jörg [LAN]\ngerman\n");

    // Remove is refused while installed, then deletes the downloaded game.
    let e = peer.ask(json!({"cmd": "remove", "game": GAME}), "error");
    assert!(e["message"].as_str().unwrap().contains("uninstall it"), "{e}");
    peer.ask(json!({"cmd": "uninstall", "game": GAME}), "uninstalled");
    peer.ask(json!({"cmd": "remove", "game": GAME}), "removed");
    peer.expect("remove-finished");
    assert!(!dirs.games.join(GAME).exists());
    let listed = installed(&mut peer);
    assert!(listed.is_null() || listed["downloaded"] == false, "{listed}");
    let e = peer.ask(json!({"cmd": "play", "game": GAME}), "error");
    assert!(e["message"].as_str().unwrap().contains("not installed"), "{e}");
    assert!(peer.shutdown().success());
}

/// An update on a disk too small for it (a tmpfs in a mount namespace): refused before
/// anything is extracted, with how much space it needs; the installed version is untouched.
#[test]
fn an_update_that_does_not_fit_on_the_disk_fails_and_keeps_the_installed_version() {
    let probe = Command::new("unshare").args(["-m", "true"]).status();
    if !probe.is_ok_and(|s| s.success()) {
        assert!(std::env::var_os("CI").is_none(), "cannot make a mount namespace in CI");
        eprintln!("skipped: no mount namespaces here; run as root to include this test");
        return;
    }
    // The games folder as it will be on the small disk: v2's archives, v1 installed.
    let source = Dirs::new();
    let big = lanparty_testkit::pattern::pattern_bytes(3, 3 << 20);
    let v2: Vec<(&str, &[u8])> = vec![("game_start.sh", b"v2"), ("baseq3/big.pk3", &big)];
    write_game(&source.games, "2", &v2);
    for (path, data) in V1 {
        let p = source.games.join(GAME).join("local").join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }
    let dirs = Dirs::new();
    let mut args = dirs.args();
    args.extend(["--unrar".into(), unrar().display().to_string()]);
    // Mount a 24 MiB tmpfs on the games folder, copy the game in, then run the peer.
    let script = "mount -t tmpfs -o size=24m tmpfs \"$0\" && cp -a \"$1/.\" \"$0/\" && shift && exec \"$@\"";
    let mut command = Command::new("unshare");
    command.args(["-m", "sh", "-c", script, dirs.games.to_str().unwrap(), source.games.to_str().unwrap(), common::BIN]);
    let mut peer = Peer::spawn_command(command, &str_args(&args));
    peer.expect("ready");
    peer.ask(json!({"cmd": "install", "game": GAME}), "installing");
    let failed = peer.expect_where("install-failed", Duration::from_secs(30), |_| true);
    let reason = failed["reason"].as_str().unwrap();
    assert!(reason.contains("needs") && reason.contains("free"), "{failed}");
    // Inside the namespace: the old installation, byte for byte, and nothing reserved left.
    let pid = peer.pid().to_string();
    let root = dirs.games.join(GAME);
    let show = |cmd: &str| {
        let out = Command::new("nsenter").args(["-t", &pid, "-m", "sh", "-c", cmd]).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(show(&format!("cat '{}/local/game_start.sh'", root.display())), "#!/bin/sh\necho v1\n");
    assert_eq!(show(&format!("cat '{}/local/baseq3/pak0.pk3'", root.display())), "old data");
    assert_eq!(show(&format!("ls -A '{}'", root.display())), "local\nopenarena.rar\nversion.ini\n");
    assert!(peer.shutdown().success());
}
