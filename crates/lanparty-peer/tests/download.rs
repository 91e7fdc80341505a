//! Downloads between real `lanparty-peer` processes over real QUIC on 127.0.0.1: many sources,
//! a corrupting seed, a seed that dies, a downloader killed and restarted, cancel, updates,
//! disagreement, a hostile manifest and a full disk. Built with the `test-faults` feature (the
//! corrupting seed and the hostile manifest need its switches).

#![allow(clippy::unwrap_used)] // a test fails by panicking

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use common::{Dirs, Peer, str_args};

const MIB: usize = 1 << 20;
/// Chunks a download has in flight at most (`MAX_IN_FLIGHT`), and the chunk size.
const IN_FLIGHT_BYTES: u64 = 8 * 4 * MIB as u64;

/// Incompressible, reproducible bytes.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Writes a downloaded game: `files` (path, bytes) and a root version.ini, all "old" so the
/// scan caches them at once.
fn write_game(games: &Path, id: &str, version: &str, files: &[(&str, Vec<u8>)]) -> PathBuf {
    let root = games.join(id);
    let mut all: Vec<(String, Vec<u8>)> = files.iter().map(|(p, d)| (p.to_string(), d.clone())).collect();
    all.push(("version.ini".into(), version.as_bytes().to_vec()));
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    for (rel, data) in &all {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, data).unwrap();
        std::fs::File::options().write(true).open(&path).unwrap().set_modified(hour_ago).unwrap();
    }
    root
}

/// The standard test game: three archives of `mib` MiB in all, from `seed`.
fn game_files(mib: usize, seed: u64) -> Vec<(&'static str, Vec<u8>)> {
    let part = mib * MIB / 3;
    vec![
        ("openarena.part1.rar", noise(part, seed)),
        ("openarena.part2.rar", noise(part, seed + 1)),
        ("data/openarena.part3.rar", noise(mib * MIB - 2 * part + 12345, seed + 2)),
    ]
}

struct Node {
    peer: Peer,
    dirs: Dirs,
    id: String,
    port: u16,
}

fn start_in(dirs: Dirs, name: &str, peers: &[u16], extra: &[&str], env: &[(&str, &str)]) -> Node {
    let mut args = dirs.args();
    // Installing is tested in install.rs; here a download ends at its commit.
    args.extend(["--name".into(), name.into(), "--no-auto-install".into()]);
    for port in peers {
        args.extend(["--peer".into(), format!("127.0.0.1:{port}")]);
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let mut command = Command::new(common::BIN);
    command.envs(env.iter().copied());
    let mut peer = Peer::spawn_command(command, &str_args(&args));
    let ready = peer.expect("ready");
    let id = ready["peer_id"].as_str().unwrap().to_owned();
    let port = ready["port"].as_u64().unwrap() as u16;
    Node { peer, dirs, id, port }
}

/// A seed sharing `files` as openarena `version`, serving at most `limit_mib` MiB/s.
fn seed(name: &str, version: &str, files: &[(&str, Vec<u8>)], limit_mib: f64, env: &[(&str, &str)]) -> Node {
    let dirs = Dirs::new();
    write_game(&dirs.games, "openarena", version, files);
    let limit = limit_mib.to_string();
    let mut node = start_in(dirs, name, &[], &["--upload-limit", &limit], env);
    wait_game(&mut node.peer, |g| g["shareable"] == true);
    node
}

fn list_game(peer: &mut Peer) -> Option<Value> {
    let games = peer.ask(json!({"cmd": "list-games"}), "games");
    games["games"].as_array().unwrap().iter().find(|g| g["id"] == "openarena").cloned()
}

/// Polls list-games until openarena satisfies `done`.
fn wait_game(peer: &mut Peer, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(g) = list_game(peer) {
            if done(&g) {
                return g;
            }
        }
        assert!(Instant::now() < deadline, "game never got there; saw {:#?}", peer.seen.last());
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A downloader dialing `seeds`, waiting until `n` of them offer openarena.
fn downloader(dirs: Dirs, seeds: &[&Node], n: usize) -> Node {
    let ports: Vec<u16> = seeds.iter().map(|s| s.port).collect();
    let mut node = start_in(dirs, "Downloader", &ports, &[], &[]);
    wait_game(&mut node.peer, |g| g["copies"].as_array().is_some_and(|c| c.len() >= n));
    node
}

fn finished(peer: &mut Peer, secs: u64) -> Value {
    let line = peer.expect_where("download-finished", Duration::from_secs(secs), |_| true);
    assert!(!peer.seen.iter().any(|l| l["type"] == "download-failed"), "{:#?}", peer.seen);
    line
}

/// Every file of `a` (outside local/) is in `b` with the same bytes, and the reverse.
fn assert_same_tree(a: &Path, b: &Path) {
    let list = |root: &Path| {
        let mut files = Vec::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let e = e.unwrap();
                if e.file_type().unwrap().is_dir() {
                    if e.file_name() != "local" {
                        stack.push(e.path());
                    }
                } else {
                    files.push(e.path().strip_prefix(root).unwrap().to_path_buf());
                }
            }
        }
        files.sort();
        files
    };
    let (fa, fb) = (list(a), list(b));
    assert_eq!(fa, fb, "same files");
    for f in fa {
        assert!(std::fs::read(a.join(&f)).unwrap() == std::fs::read(b.join(&f)).unwrap(), "{} differs", f.display());
    }
}

fn kill(peer: &Peer) {
    Command::new("kill").args(["-KILL", &peer.pid().to_string()]).status().unwrap();
}

fn received_from(done: &Value, id: &str) -> u64 {
    done["peers"].as_array().unwrap().iter().find(|p| p["peer_id"] == id).map_or(0, |p| p["chunks"].as_u64().unwrap())
}

#[test]
fn three_seeds_fill_one_download_byte_identical() {
    let files = game_files(40, 1);
    let seeds: Vec<Node> = ["A", "B", "C"].iter().map(|n| seed(n, "0.8.8", &files, 6.0, &[])).collect();
    let mut d = downloader(Dirs::new(), &seeds.iter().collect::<Vec<_>>(), 3);
    let answer = d.peer.ask(json!({"cmd": "download", "game": "openarena"}), "downloading");
    assert_eq!((answer["version"].as_str(), answer["update"].as_bool()), (Some("0.8.8"), Some(false)));
    let progress = d.peer.expect("download-progress");
    assert!(progress["bytes_total"].as_u64().unwrap() > 40 * MIB as u64, "{progress}");
    let done = finished(&mut d.peer, 60);
    eprintln!("from three seeds: {}", done["peers"]);
    for s in &seeds {
        assert!(received_from(&done, &s.id) > 0, "chunks came from every seed: {done}");
    }
    // Progress came at most twice a second.
    let times = d.peer.seen.iter().filter(|l| l["type"] == "download-progress").count();
    assert!(times as f64 <= done["seconds"].as_f64().unwrap() * 2.0 + 2.0);
    // The library lists it as downloaded with the seeds' manifest: byte-identical.
    let mine = wait_game(&mut d.peer, |g| g["downloaded"] == true && g["shareable"] == true);
    let theirs = list_game(&mut seeds.into_iter().next().unwrap().peer).unwrap();
    assert_eq!(mine["manifest_hash"], theirs["manifest_hash"]);
    assert_eq!(mine["version"], "0.8.8");
    assert!(!d.dirs.games.join("openarena/.lanparty-download").exists());
    assert!(!d.dirs.state.join("downloads/openarena").exists());
    // A second download of the same game is refused with what to do instead.
    let again = d.peer.ask(json!({"cmd": "download", "game": "openarena"}), "error");
    assert!(again["message"].as_str().unwrap().contains("already downloaded"), "{again}");
}

#[test]
fn a_corrupting_seed_is_dropped_after_three_strikes_and_the_result_is_right() {
    let files = game_files(24, 2);
    let good = seed("Good", "0.8.8", &files, 4.0, &[]);
    let bad = seed("Bad", "0.8.8", &files, 0.0, &[("LANPARTY_TEST_CORRUPT_CHUNKS", "1")]);
    let mut d = downloader(Dirs::new(), &[&good, &bad], 2);
    d.peer.ask(json!({"cmd": "download", "game": "openarena"}), "downloading");
    let dropped = d.peer.expect_where("download-peer-dropped", Duration::from_secs(30), |_| true);
    assert_eq!(dropped["peer_id"], bad.id.as_str());
    assert!(dropped["reason"].as_str().unwrap().contains("failed verification"), "{dropped}");
    let done = finished(&mut d.peer, 60);
    assert_eq!(received_from(&done, &bad.id), 0, "no corrupt chunk counted: {done}");
    assert_same_tree(&good.dirs.games.join("openarena"), &d.dirs.games.join("openarena"));
}

#[test]
fn a_seed_killed_mid_transfer_leaves_the_others_to_finish() {
    let files = game_files(30, 3);
    let seeds: Vec<Node> = ["A", "B", "C"].iter().map(|n| seed(n, "0.8.8", &files, 4.0, &[])).collect();
    let mut d = downloader(Dirs::new(), &seeds.iter().collect::<Vec<_>>(), 3);
    d.peer.ask(json!({"cmd": "download", "game": "openarena"}), "downloading");
    d.peer.expect_where("download-progress", Duration::from_secs(20), |l| l["bytes_done"].as_u64().unwrap() > 0);
    kill(&seeds[1].peer);
    finished(&mut d.peer, 90);
    assert_same_tree(&seeds[0].dirs.games.join("openarena"), &d.dirs.games.join("openarena"));
}

#[test]
fn a_downloader_killed_mid_transfer_resumes_and_refetches_at_most_what_was_in_flight() {
    let files = game_files(48, 4);
    let mut s = seed("Seed", "0.8.8", &files, 12.0, &[]);
    let total: u64 = files.iter().map(|(_, d)| d.len() as u64).sum::<u64>() + 5;
    let mut d = downloader(Dirs::new(), &[&s], 1);
    d.peer.ask(json!({"cmd": "download", "game": "openarena"}), "downloading");
    d.peer.expect_where("download-progress", Duration::from_secs(20), |l| {
        l["bytes_done"].as_u64().unwrap() >= 12 * MIB as u64
    });
    kill(&d.peer);
    d.peer.wait(Duration::from_secs(5)).unwrap();
    let root = d.dirs.games.join("openarena");
    assert!(!root.join("version.ini").exists(), "a killed download never looks complete");

    // Restarted with the same folders: it resumes by itself.
    let Node { dirs, .. } = d;
    let mut d = start_in(dirs, "Downloader", &[s.port], &[], &[]);
    let started = d.peer.expect_where("download-started", Duration::from_secs(30), |_| true);
    let resumed = started["bytes_done"].as_u64().unwrap();
    assert!(resumed >= 8 * MIB as u64, "verified chunks are kept: {started}");
    let done = finished(&mut d.peer, 60);
    assert_eq!(done["resumed_bytes"].as_u64().unwrap(), resumed);
    assert_same_tree(&s.dirs.games.join("openarena"), &root);
    // The seed's counter: everything it ever sent beyond one copy of the game (and two
    // manifests) is what was in flight when the downloader died.
    let status = s.peer.ask(json!({"cmd": "status"}), "status");
    let uploaded = status["uploaded_bytes"].as_u64().unwrap();
    let refetched = uploaded.saturating_sub(total + 2 * 4096);
    eprintln!("resumed from {resumed} verified bytes; the seed sent {uploaded} for a {total}-byte game");
    assert!(refetched <= IN_FLIGHT_BYTES, "refetched {refetched} bytes, more than in flight ({IN_FLIGHT_BYTES})");
}

#[test]
fn cancel_removes_the_partial_payload_and_keeps_the_installed_version() {
    let files = game_files(24, 5);
    let s = seed("Seed", "0.8.8", &files, 2.0, &[]);
    let mut d = downloader(Dirs::new(), &[&s], 1);
    d.peer.ask(json!({"cmd": "download", "game": "openarena"}), "downloading");
    d.peer.expect_where("download-progress", Duration::from_secs(20), |l| l["bytes_done"].as_u64().unwrap() > 0);
    let root = d.dirs.games.join("openarena");
    assert!(root.join(".lanparty-download").exists());
    let asked = Instant::now();
    d.peer.ask(json!({"cmd": "cancel", "game": "openarena"}), "cancelled");
    assert!(asked.elapsed() < Duration::from_secs(1), "cancel took {:?}", asked.elapsed());
    assert!(d.peer.seen.iter().any(|l| l["type"] == "download-cancelled"), "event before the answer");
    assert!(!root.exists(), "the partial payload and the root it created are gone");
    assert!(!d.dirs.state.join("downloads/openarena").exists());
    let g = list_game(&mut d.peer).unwrap();
    assert_eq!(g["downloaded"], false);
    let nothing = d.peer.ask(json!({"cmd": "cancel", "game": "openarena"}), "error");
    assert!(nothing["message"].as_str().unwrap().contains("not downloading"), "{nothing}");
}

/// A seed that holds back its manifest for 30 s, and a downloader just sent `download` (id `dl`).
fn download_from_a_stalling_seed() -> (Node, Node) {
    let s = seed("Slow", "0.8.8", &game_files(3, 12), 0.0, &[("LANPARTY_TEST_STALL_MANIFEST", "1")]);
    let mut d = downloader(Dirs::new(), &[&s], 1);
    d.peer.send(json!({"cmd": "download", "game": "openarena", "id": "dl"}));
    (s, d)
}

#[test]
fn a_cancel_while_the_manifest_is_awaited_ends_the_download_at_once() {
    let (_seed, mut d) = download_from_a_stalling_seed();
    // The download is claimed and waits for the seed's manifest; other commands still answer.
    let waiting = |peer: &mut Peer| {
        let status = peer.ask(json!({"cmd": "status"}), "status");
        status["operations"].as_array().unwrap().iter().any(|o| o["game"] == "openarena")
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while !waiting(&mut d.peer) {
        assert!(Instant::now() < deadline, "the download never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    let asked = Instant::now();
    d.peer.ask(json!({"cmd": "cancel", "game": "openarena"}), "cancelled");
    assert!(asked.elapsed() < Duration::from_secs(1), "cancel took {:?}", asked.elapsed());
    assert!(d.peer.seen.iter().any(|l| l["type"] == "download-cancelled"), "event before the answer");
    let answer = d.peer.expect_where("error", Duration::from_secs(5), |l| l["id"] == "dl");
    assert!(answer["message"].as_str().unwrap().contains("was cancelled"), "{answer}");
    assert!(!d.dirs.games.join("openarena").exists(), "nothing was created");
    assert!(!d.dirs.state.join("downloads/openarena").exists());
    assert!(!waiting(&mut d.peer), "the game is free again");
}

#[test]
fn a_cancel_sent_right_after_its_download_cancels_that_download() {
    // The cancel follows at once: the download claims the game before the cancel is read.
    let (_seed, mut d) = download_from_a_stalling_seed();
    let cancelled = d.peer.ask(json!({"cmd": "cancel", "game": "openarena"}), "cancelled");
    assert_eq!(cancelled["game"], "openarena");
    let answer = d.peer.expect_where("error", Duration::from_secs(5), |l| l["id"] == "dl");
    assert!(answer["message"].as_str().unwrap().contains("was cancelled"), "{answer}");
}

#[test]
fn shutdown_does_not_wait_for_a_download_still_awaiting_its_manifest() {
    let (_seed, mut d) = download_from_a_stalling_seed();
    let status = d.peer.ask(json!({"cmd": "status"}), "status");
    assert!(status["operations"].as_array().unwrap().iter().any(|o| o["game"] == "openarena"), "{status}");
    let asked = Instant::now();
    d.peer.ask(json!({"cmd": "shutdown"}), "shutdown");
    let exited = d.peer.wait(Duration::from_secs(10)).expect("the peer exits while the seed stalls");
    assert!(exited.success(), "{exited:?}");
    assert!(asked.elapsed() < Duration::from_secs(10), "shutdown took {:?}", asked.elapsed());
    while d.peer.next(Duration::from_millis(200)).is_some() {}
    assert!(!d.peer.seen.iter().any(|l| l["id"] == "dl"), "an answer after shutdown: {:#?}", d.peer.seen);
}

#[test]
fn an_update_downloads_beside_the_old_version_then_swaps() {
    let old = vec![("openarena.part1.rar", noise(3 * MIB, 6)), ("old-only.rar", noise(MIB, 7))];
    let new = game_files(12, 8);
    let s = seed("Seed", "0.8.9", &new, 3.0, &[]);
    let dirs = Dirs::new();
    let root = write_game(&dirs.games, "openarena", "0.8.8", &old);
    std::fs::create_dir_all(root.join("local")).unwrap();
    std::fs::write(root.join("local/save.dat"), b"my progress").unwrap();
    let mut d = downloader(dirs, &[&s], 1);
    let g = wait_game(&mut d.peer, |g| g["update_available"] == true);
    assert_eq!((g["version"].as_str(), g["latest_version"].as_str()), (Some("0.8.8"), Some("0.8.9")));
    let refused = d.peer.ask(json!({"cmd": "download", "game": "openarena"}), "error");
    assert!(refused["message"].as_str().unwrap().contains("use update"), "{refused}");

    // Cancelled halfway: the old version is untouched.
    d.peer.ask(json!({"cmd": "update", "game": "openarena"}), "updating");
    let busy = d.peer.ask(json!({"cmd": "update", "game": "openarena"}), "error");
    assert!(busy["message"].as_str().unwrap().contains("busy"), "two operations on one game: {busy}");
    d.peer.expect_where("download-progress", Duration::from_secs(20), |l| l["bytes_done"].as_u64().unwrap() > 0);
    assert_eq!(std::fs::read(root.join("version.ini")).unwrap(), b"0.8.8");
    let g = list_game(&mut d.peer).unwrap();
    assert_eq!(
        (g["version"].as_str(), &g["shareable"]),
        (Some("0.8.8"), &json!(true)),
        "the old version is still served"
    );
    d.peer.ask(json!({"cmd": "cancel", "game": "openarena"}), "cancelled");
    assert_eq!(std::fs::read(root.join("version.ini")).unwrap(), b"0.8.8");
    assert_eq!(std::fs::read(root.join("old-only.rar")).unwrap(), old[1].1);
    assert_eq!(std::fs::read(root.join("local/save.dat")).unwrap(), b"my progress");
    assert!(!root.join(".lanparty-download").exists());

    // Done: new files in, old-only file gone, version.ini says the new version, local/ kept.
    d.peer.ask(json!({"cmd": "update", "game": "openarena"}), "updating");
    let done = finished(&mut d.peer, 60);
    assert_eq!(done["update"], true);
    assert_eq!(std::fs::read(root.join("version.ini")).unwrap(), b"0.8.9");
    assert!(!root.join("old-only.rar").exists());
    assert_eq!(std::fs::read(root.join("local/save.dat")).unwrap(), b"my progress");
    assert_same_tree(&s.dirs.games.join("openarena"), &root);
    let g = wait_game(&mut d.peer, |g| g["version"] == "0.8.9" && g["shareable"] == true);
    assert_eq!(g["update_available"], false);
    let up_to_date = d.peer.ask(json!({"cmd": "update", "game": "openarena"}), "error");
    assert!(up_to_date["message"].as_str().unwrap().contains("up to date"), "{up_to_date}");
}

#[test]
fn peers_that_disagree_on_the_content_get_no_download() {
    let a = seed("A", "0.8.8", &game_files(3, 9), 0.0, &[]);
    let b = seed("B", "0.8.8", &game_files(3, 10), 0.0, &[]);
    let mut d = downloader(Dirs::new(), &[&a, &b], 2);
    let e = d.peer.ask(json!({"cmd": "download", "game": "openarena"}), "error");
    assert!(e["message"].as_str().unwrap().contains("peers disagree"), "{e}");
    assert!(!d.dirs.games.join("openarena").exists(), "nothing created");
}

#[test]
fn a_manifest_with_a_hostile_path_is_refused_before_anything_is_written() {
    let s = seed("Evil", "0.8.8", &game_files(3, 11), 0.0, &[("LANPARTY_TEST_HOSTILE_MANIFEST", "1")]);
    let mut d = downloader(Dirs::new(), &[&s], 1);
    let e = d.peer.ask(json!({"cmd": "download", "game": "openarena"}), "error");
    let message = e["message"].as_str().unwrap();
    assert!(message.contains("unsafe path") && message.contains("../escape.rar"), "{e}");
    assert!(!d.dirs.games.join("openarena").exists(), "nothing created");
    assert!(!d.dirs.games.join("escape.rar").exists() && !d.dirs.tmp.path().join("escape.rar").exists());
}

/// Runs a downloader whose games folder is a tmpfs of `size_mib` in its own mount namespace.
/// `None` when mount namespaces are not available here (not root); in CI that is a failure.
fn downloader_on_tmpfs(size_mib: u32, seeds: &[&Node]) -> Option<Node> {
    let dirs = Dirs::new();
    let probe = Command::new("unshare").args(["-m", "true"]).status();
    if !probe.is_ok_and(|s| s.success()) {
        assert!(std::env::var_os("CI").is_none(), "cannot make a mount namespace in CI");
        eprintln!("skipped: no mount namespaces here; run as root to include this test");
        return None;
    }
    let mut args = dirs.args();
    args.extend(["--name".into(), "Downloader".into()]);
    for s in seeds {
        args.extend(["--peer".into(), format!("127.0.0.1:{}", s.port)]);
    }
    let script = format!("mount -t tmpfs -o size={size_mib}m tmpfs \"$0\" && exec \"$@\"", size_mib = size_mib);
    let mut command = Command::new("unshare");
    command.args(["-m", "sh", "-c", &script, dirs.games.to_str().unwrap(), common::BIN]);
    let mut peer = Peer::spawn_command(command, &str_args(&args));
    let ready = peer.expect("ready");
    let id = ready["peer_id"].as_str().unwrap().to_owned();
    let port = ready["port"].as_u64().unwrap() as u16;
    let mut node = Node { peer, dirs, id, port };
    wait_game(&mut node.peer, |g| g["copies"].as_array().is_some_and(|c| c.len() >= seeds.len()));
    Some(node)
}

#[test]
fn a_full_disk_fails_the_download_with_a_clear_error_and_commits_nothing() {
    let files = game_files(24, 12);
    let s = seed("Seed", "0.8.8", &files, 3.0, &[]);

    // Too small from the start: refused before anything is written, saying how much is needed.
    let Some(mut small) = downloader_on_tmpfs(16, &[&s]) else { return };
    let e = small.peer.ask(json!({"cmd": "download", "game": "openarena"}), "error");
    let message = e["message"].as_str().unwrap();
    assert!(message.contains("not enough free space") && message.contains("need 24.0 MiB"), "{e}");

    // Room at the start, then the disk fills up mid-download (another program writes to it).
    let mut d = downloader_on_tmpfs(40, &[&s]).unwrap();
    d.peer.ask(json!({"cmd": "download", "game": "openarena"}), "downloading");
    d.peer.expect_where("download-progress", Duration::from_secs(20), |l| l["bytes_done"].as_u64().unwrap() > 0);
    let filler = format!("{}/filler", d.dirs.games.display());
    let fill = Command::new("nsenter")
        .args(["-t", &d.peer.pid().to_string(), "-m", "dd", "if=/dev/zero", &format!("of={filler}"), "bs=1M"])
        .output()
        .unwrap();
    assert!(!fill.status.success(), "dd stops at a full disk");
    let failed = d.peer.expect_where("download-failed", Duration::from_secs(30), |_| true);
    let reason = failed["reason"].as_str().unwrap();
    assert!(reason.contains("is full") && reason.contains("free some space"), "{failed}");
    assert_eq!(failed["problem"]["code"], "download.disk-full", "{failed}");
    assert_eq!(failed["problem"]["args"]["game"], "openarena", "{failed}");
    assert_eq!(failed["resumable"], true);
    let g = list_game(&mut d.peer).unwrap();
    assert_eq!(g["downloaded"], false, "nothing committed: {g}");
}
