//! Discovery by real mDNS between hosts: network namespaces on a bridge, one peer in each, no
//! manual peers. Needs root (CI runs as root); elsewhere it says it is skipped. Linux only
//! (network namespaces).

#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)] // a test fails by panicking

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use common::netns::Lan;
use common::{BIN, Dirs, Peer, make_game, str_args};

const TOOL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/mdns.py");

/// Starts a peer inside host `i` with mDNS on (unless `extra` says otherwise).
fn start_in(lan: &Lan, i: usize, dirs: &Dirs, name: &str, extra: &[&str]) -> (Peer, String, u16) {
    let mut args = vec![
        "--games-dir".to_owned(),
        dirs.games.display().to_string(),
        "--state-dir".to_owned(),
        dirs.state.display().to_string(),
        "--name".to_owned(),
        name.to_owned(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let mut peer = Peer::spawn_command(lan.command(i, BIN), &str_args(&args));
    let ready = peer.expect("ready");
    (peer, ready["peer_id"].as_str().unwrap().to_owned(), ready["port"].as_u64().unwrap() as u16)
}

fn peer_ids(peer: &mut Peer) -> Vec<String> {
    let peers = peer.ask(json!({"cmd": "peers"}), "peers");
    peers["peers"].as_array().unwrap().iter().map(|p| p["peer_id"].as_str().unwrap().to_owned()).collect()
}

/// Runs the python-zeroconf browser inside host `i` and returns what it resolved.
fn browse_with_zeroconf(lan: &Lan, i: usize, seconds: u32) -> Vec<Value> {
    let out = lan.command(i, "python3").args([TOOL, "browse", &seconds.to_string()]).output().unwrap();
    assert!(out.status.success(), "zeroconf browse failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn peers_on_three_hosts_find_each_other_by_mdns_and_only_by_proof() {
    let Some(lan) = Lan::new(4) else { return };
    let dirs: Vec<Dirs> = (0..4).map(|_| Dirs::new()).collect();
    for d in &dirs {
        // The peers run as root in the namespaces; the temp dirs are theirs to use.
        let _ = std::fs::set_permissions(d.tmp.path(), std::os::unix::fs::PermissionsExt::from_mode(0o755));
    }
    make_game(&dirs[0].games, "openarena", "0.8.8", b"a");
    make_game(&dirs[1].games, "xonotic", "0.8.6", b"b");

    let started = Instant::now();
    let mut hosts: Vec<(Peer, String, u16)> =
        (0..3).map(|i| start_in(&lan, i, &dirs[i], &format!("Host {i}"), &[])).collect();
    let all_ready = started.elapsed();

    // All discover each other, with no address given.
    let deadline = Instant::now() + Duration::from_secs(15);
    let ids: Vec<String> = hosts.iter().map(|h| h.1.clone()).collect();
    for (i, host) in hosts.iter_mut().enumerate() {
        loop {
            let seen = peer_ids(&mut host.0);
            if ids.iter().enumerate().all(|(j, id)| j == i || seen.contains(id)) {
                break;
            }
            assert!(Instant::now() < deadline, "host {i} saw only {seen:?}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    eprintln!("mDNS discovery: all 3 hosts connected {:?} after all were ready", started.elapsed() - all_ready);
    let peers = hosts[0].0.ask(json!({"cmd": "peers"}), "peers");
    let host1 = peers["peers"].as_array().unwrap().iter().find(|p| p["peer_id"] == ids[1].as_str()).unwrap();
    assert_eq!(host1["addr"], format!("{}:{}", lan.addr(1), hosts[1].2));
    let games = hosts[2].0.ask(json!({"cmd": "list-games"}), "games");
    assert_eq!(games["games"].as_array().unwrap().len(), 2, "host 2 lists the others' games: {games}");

    // An independent mDNS implementation reads the same records.
    let found = browse_with_zeroconf(&lan, 2, 3);
    for (i, (_, id, port)) in hosts.iter().enumerate().take(2) {
        let record = found
            .iter()
            .find(|r| r["txt"]["id"] == id.as_str())
            .unwrap_or_else(|| panic!("no record for host {i}: {found:?}"));
        assert_eq!(record["port"].as_u64(), Some(u64::from(*port)));
        assert_eq!(record["txt"]["port"], port.to_string());
        assert_eq!(record["txt"]["proto"], "1");
        assert_eq!(record["txt"]["name"], format!("Host {i}"));
        assert!(record["txt"]["rev"].as_str().unwrap().parse::<u64>().is_ok());
        assert!(record["addresses"].as_array().unwrap().contains(&json!(lan.addr(i))), "{record}");
    }

    // A record claiming another peer's id at a different machine's address leads nowhere:
    // host 3 runs a peer that does not announce itself, and an impostor record points at it
    // under the id of a peer that is not online (one that is connected is never dialed again).
    let (mut quiet, quiet_id, quiet_port) = start_in(&lan, 3, &dirs[3], "Quiet", &["--no-mdns"]);
    let absent = lanparty_core::identity::Identity::generate().unwrap().peer_id.to_string();
    let mut impostor = lan
        .command(3, "python3")
        .args([TOOL, "announce", "30", "impostor", &lan.addr(3), &quiet_port.to_string()])
        .args([
            format!("id={absent}"),
            "proto=1".into(),
            format!("port={quiet_port}"),
            "rev=1".into(),
            "name=Absent".into(),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(impostor.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.contains("announced"), "{line}");
    std::thread::sleep(Duration::from_secs(4));
    for (peer, _, _) in &mut hosts {
        let seen = peer_ids(peer);
        assert!(
            !seen.contains(&quiet_id) && !seen.contains(&absent),
            "a peer trusted a record whose id the handshake did not prove"
        );
    }
    assert!(peer_ids(&mut quiet).is_empty());
    let _ = impostor.kill();
    let _ = impostor.wait();

    for (peer, _, _) in hosts {
        assert!(peer.shutdown().success());
    }
    assert!(quiet.shutdown().success());
}
