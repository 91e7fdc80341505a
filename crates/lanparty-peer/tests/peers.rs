//! Real `lanparty-peer` processes talking QUIC on 127.0.0.1, joined by manual peers and peer
//! exchange (no mDNS).

#![allow(clippy::unwrap_used)] // a test fails by panicking

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use common::{Dirs, Peer, make_game, str_args};

/// A peer in its own temp dirs with `games`, dialing `peers`.
fn start(dirs: &Dirs, name: &str, peers: &[u16]) -> (Peer, String, u16) {
    let mut args = dirs.args();
    args.extend(["--name".into(), name.into()]);
    for port in peers {
        args.extend(["--peer".into(), format!("127.0.0.1:{port}")]);
    }
    let mut peer = Peer::spawn(&str_args(&args));
    let ready = peer.expect("ready");
    let id = ready["peer_id"].as_str().unwrap().to_owned();
    let port = ready["port"].as_u64().unwrap() as u16;
    (peer, id, port)
}

/// Asks `peer` for `command` until `done` accepts the answer, for up to `secs`.
fn poll(peer: &mut Peer, command: Value, answer: &str, secs: u64, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let line = peer.ask(command.clone(), answer);
        if done(&line) {
            return line;
        }
        assert!(Instant::now() < deadline, "condition not met within {secs} s; last answer: {line}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn peer_ids(peers: &Value) -> Vec<String> {
    peers["peers"].as_array().unwrap().iter().map(|p| p["peer_id"].as_str().unwrap().to_owned()).collect()
}

fn game<'a>(games: &'a Value, id: &str) -> Option<&'a Value> {
    games["games"].as_array().unwrap().iter().find(|g| g["id"] == id)
}

#[test]
fn three_peers_share_their_libraries_follow_changes_and_notice_a_death() {
    let (da, db, dc) = (Dirs::new(), Dirs::new(), Dirs::new());
    make_game(&da.games, "openarena", "0.8.8", &[1u8; 3000]);
    make_game(&db.games, "xonotic", "0.8.6", &[2u8; 3000]);
    make_game(&dc.games, "teeworlds", "0.7.5", &[3u8; 3000]);
    make_game(&dc.games, "openarena", "0.8.9", &[4u8; 3000]);

    let (mut a, id_a, port_a) = start(&da, "Alice", &[]);
    let (mut b, id_b, _) = start(&db, "Bob", &[port_a]);
    let (mut c, id_c, port_c1) = start(&dc, "Carol", &[port_a]);

    // Each sees the two others (B and C meet through A's peer exchange).
    for (peer, others) in [(&mut a, [&id_b, &id_c]), (&mut b, [&id_a, &id_c]), (&mut c, [&id_a, &id_b])] {
        poll(peer, json!({"cmd": "peers"}), "peers", 15, |p| {
            let ids = peer_ids(p);
            others.iter().all(|o| ids.contains(o))
        });
    }
    let peers = b.ask(json!({"cmd": "peers"}), "peers");
    let alice = peers["peers"].as_array().unwrap().iter().find(|p| p["peer_id"] == id_a.as_str()).unwrap();
    assert_eq!((alice["name"].as_str(), alice["games"].as_u64()), (Some("Alice"), Some(1)));
    assert_eq!(alice["addr"], format!("127.0.0.1:{port_a}"));

    // Each lists the others' games, with who has which version.
    for peer in [&mut a, &mut b, &mut c] {
        let games = poll(peer, json!({"cmd": "list-games"}), "games", 15, |g| {
            ["openarena", "xonotic", "teeworlds"].iter().all(|id| game(g, id).is_some())
        });
        let oa = game(&games, "openarena").unwrap();
        assert_eq!(oa["latest_version"], "0.8.9");
        assert_eq!(oa["peers"].as_u64().unwrap() + u64::from(oa["version"] == "0.8.9"), 1, "{oa}");
    }
    let games = b.ask(json!({"cmd": "list-games"}), "games");
    let xonotic = game(&games, "xonotic").unwrap();
    assert_eq!((xonotic["downloaded"].as_bool(), xonotic["peers"].as_u64()), (Some(true), Some(0)));
    let teeworlds = game(&games, "teeworlds").unwrap();
    assert_eq!((teeworlds["downloaded"].as_bool(), teeworlds["peers"].as_u64()), (Some(false), Some(1)));
    assert_eq!(teeworlds["copies"][0]["name"], "Carol");

    // A game added on B reaches A and C through a pushed delta, no rescan asked for.
    make_game(&db.games, "wesnoth", "1.18.7", &[5u8; 3000]);
    for peer in [&mut a, &mut c] {
        poll(peer, json!({"cmd": "list-games"}), "games", 10, |g| game(g, "wesnoth").is_some_and(|w| w["peers"] == 1));
    }
    // ...and as an event with the merged view, for hosts that follow rather than ask.
    let announced = |l: &Value| {
        l["type"] == "games-changed"
            && game(l, "wesnoth").is_some_and(|w| w["peers"] == 1 && w["latest_version"] == "1.18.7")
    };
    if !a.seen.iter().any(announced) {
        a.expect_where("games-changed", Duration::from_secs(5), |l| announced(l));
    }

    // C dies without a word: the others notice within 15 s.
    let killed_at = Instant::now();
    Command::new("kill").args(["-KILL", &c.pid().to_string()]).status().unwrap();
    for peer in [&mut a, &mut b] {
        peer.expect_where("peer-left", Duration::from_secs(16), |l| l["peer_id"] == id_c.as_str());
    }
    assert!(killed_at.elapsed() < Duration::from_secs(15), "took {:?}", killed_at.elapsed());
    let games = a.ask(json!({"cmd": "list-games"}), "games");
    assert!(game(&games, "teeworlds").is_none(), "a gone peer's games go with it");
    drop(c);

    // C comes back with its identity (same state dir) on another port and rejoins: it is the
    // same peer at a new address.
    let (c, id_c2, port_c2) = start(&dc, "Carol", &[port_a]);
    assert_eq!(id_c2, id_c);
    assert_ne!(port_c2, port_c1, "--port 0 gives the restarted peer a new address");
    for peer in [&mut a, &mut b] {
        let peers = poll(peer, json!({"cmd": "peers"}), "peers", 15, |p| peer_ids(p).contains(&id_c));
        let carol = peers["peers"].as_array().unwrap().iter().find(|p| p["peer_id"] == id_c.as_str()).unwrap();
        assert_eq!(carol["addr"], format!("127.0.0.1:{port_c2}"));
        assert_eq!(peers["peers"].as_array().unwrap().len(), 2, "one entry per peer id");
    }
    for peer in [a, b, c] {
        assert!(peer.shutdown().success());
    }
}

#[test]
fn peer_exchange_reaches_a_peer_known_only_to_a_friend() {
    let (da, db, dc) = (Dirs::new(), Dirs::new(), Dirs::new());
    let (c, id_c, port_c) = start(&dc, "Carol", &[]);
    let (mut b, id_b, port_b) = start(&db, "Bob", &[port_c]);
    poll(&mut b, json!({"cmd": "peers"}), "peers", 15, |p| peer_ids(p).contains(&id_c));
    let (mut a, _, _) = start(&da, "Alice", &[port_b]);
    let peers = poll(&mut a, json!({"cmd": "peers"}), "peers", 15, |p| {
        let ids = peer_ids(p);
        ids.contains(&id_b) && ids.contains(&id_c)
    });
    let carol = peers["peers"].as_array().unwrap().iter().find(|p| p["peer_id"] == id_c.as_str()).unwrap();
    assert_eq!(carol["addr"], format!("127.0.0.1:{port_c}"));
    for peer in [a, b, c] {
        assert!(peer.shutdown().success());
    }
}

#[test]
fn manual_peers_are_added_removed_and_saved() {
    let (da, db) = (Dirs::new(), Dirs::new());
    let (b, id_b, port_b) = start(&db, "Bob", &[]);
    let (mut a, _, _) = start(&da, "Alice", &[]);

    let added = a.ask(json!({"cmd": "add-peer", "addr": format!("localhost:{port_b}")}), "peer-added");
    assert_eq!(added["resolved"], format!("127.0.0.1:{port_b}"));
    a.expect_where("peer-joined", Duration::from_secs(15), |l| l["peer_id"] == id_b.as_str());
    let saved = std::fs::read_to_string(da.state.join("peers.json")).unwrap();
    assert!(saved.contains(&format!("localhost:{port_b}")), "{saved}");

    // Saved: a restart dials it again without being told.
    assert!(a.shutdown().success());
    let (mut a, _, _) = start(&da, "Alice", &[]);
    a.expect_where("peer-joined", Duration::from_secs(15), |l| l["peer_id"] == id_b.as_str());

    a.ask(json!({"cmd": "remove-peer", "addr": format!("localhost:{port_b}")}), "peer-removed");
    a.expect_where("peer-left", Duration::from_secs(15), |l| l["peer_id"] == id_b.as_str());
    assert!(!std::fs::read_to_string(da.state.join("peers.json")).unwrap().contains("localhost"));
    let e = a.ask(json!({"cmd": "add-peer", "addr": "no-such-host.invalid:1"}), "error");
    assert!(e["message"].as_str().unwrap().contains("HOST:PORT"), "{e}");
    let e = a.ask(json!({"cmd": "ping", "peer": "ZZZZ"}), "error");
    assert!(e["message"].as_str().unwrap().contains("matches no connected peer"), "{e}");
    for peer in [a, b] {
        assert!(peer.shutdown().success());
    }
}

#[test]
fn a_taken_port_moves_to_the_next_free_one_and_ready_says_which() {
    let (da, db) = (Dirs::new(), Dirs::new());
    let (a, _, port_a) = start(&da, "Alice", &[]);
    let mut args = db.args();
    let at = args.iter().position(|a| a == "--port").unwrap();
    args[at + 1] = port_a.to_string();
    let mut b = Peer::spawn(&str_args(&args));
    let ready = b.expect("ready");
    let port_b = ready["port"].as_u64().unwrap() as u16;
    assert_ne!(port_b, port_a);
    assert!(port_b > port_a && port_b < port_a.saturating_add(16), "{port_b} after {port_a}");
    for peer in [a, b] {
        assert!(peer.shutdown().success());
    }
}
