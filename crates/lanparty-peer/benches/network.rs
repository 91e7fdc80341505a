//! Network benchmark, printed as figures (`just bench`):
//!
//! - time from start to discovery by mDNS: three peers in network namespaces on a bridge, from
//!   launching them to every one being connected to both others (goal: < 2 s); needs root;
//! - ping round trip between two peers on loopback, over their QUIC connection.

#[allow(clippy::unwrap_used)]
#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use serde_json::json;

use common::netns::Lan;
use common::{BIN, Dirs, Peer, str_args};

fn peer_count(peer: &mut Peer) -> usize {
    peer.ask(json!({"cmd": "peers"}), "peers")["peers"].as_array().map_or(0, Vec::len)
}

/// Time from launching three peers to all three seeing both others.
fn discovery_once() -> Option<Duration> {
    let lan = Lan::new(3)?;
    let dirs: Vec<Dirs> = (0..3).map(|_| Dirs::new()).collect();
    let started = Instant::now();
    let mut peers: Vec<Peer> = dirs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let args = [
                "--games-dir".to_owned(),
                d.games.display().to_string(),
                "--state-dir".to_owned(),
                d.state.display().to_string(),
            ];
            Peer::spawn_command(lan.command(i, BIN), &str_args(&args))
        })
        .collect();
    let mut done = [false; 3];
    while !done.iter().all(|d| *d) {
        for (i, p) in peers.iter_mut().enumerate() {
            done[i] = done[i] || peer_count(p) == 2;
        }
        if started.elapsed() > Duration::from_secs(30) {
            println!("discovery did not complete within 30 s");
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let elapsed = started.elapsed();
    for p in peers {
        p.shutdown();
    }
    Some(elapsed)
}

fn ping_round_trips() -> Vec<f64> {
    let (da, db) = (Dirs::new(), Dirs::new());
    let mut a = Peer::spawn(&str_args(&da.args()));
    let port_a = a.expect("ready")["port"].as_u64().unwrap_or(0);
    let mut args = db.args();
    args.extend(["--peer".into(), format!("127.0.0.1:{port_a}")]);
    let mut b = Peer::spawn(&str_args(&args));
    b.expect("ready");
    let joined = b.expect("peer-joined");
    let id = joined["peer_id"].as_str().unwrap_or_default().to_owned();
    let mut rtts: Vec<f64> = (0..200)
        .map(|_| b.ask(json!({"cmd": "ping", "peer": id}), "pong")["rtt_ms"].as_f64().unwrap_or(f64::NAN))
        .collect();
    rtts.sort_by(f64::total_cmp);
    a.shutdown();
    b.shutdown();
    rtts
}

fn main() {
    println!("network benchmark");
    let runs: Vec<Duration> = (0..3).filter_map(|_| discovery_once()).collect();
    if runs.is_empty() {
        println!("mDNS discovery: skipped (needs root for network namespaces)");
    } else {
        let mut secs: Vec<f64> = runs.iter().map(Duration::as_secs_f64).collect();
        secs.sort_by(f64::total_cmp);
        println!(
            "mDNS discovery, 3 peers in namespaces, launch to all connected: {:.2} s median, {:.2} s worst of {} (goal < 2 s)",
            secs[secs.len() / 2],
            secs[secs.len() - 1],
            secs.len()
        );
    }
    let rtts = ping_round_trips();
    println!(
        "ping round trip on loopback (a new QUIC stream per ping, {} pings): {:.3} ms median, {:.3} ms p99",
        rtts.len(),
        rtts[rtts.len() / 2],
        rtts[rtts.len() * 99 / 100]
    );
}
