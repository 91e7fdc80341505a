//! Test hosts on one machine: network namespaces joined by a bridge, each with its own IPv4
//! address, so processes discover each other by real multicast.

use std::process::Command;

/// A bridge and `n` namespaces `10.77.<net>.<i+1>/24`, removed on drop.
pub struct Lan {
    pub bridge: String,
    pub namespaces: Vec<String>,
    pub net: u8,
}

fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip").args(args).output().map_err(|e| format!("ip: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("ip {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()))
    }
}

impl Lan {
    /// Builds the network, or says why it cannot (not root, no `ip netns`). In CI, where the
    /// tests run as root, not being able to is a failure, not a skip.
    pub fn new(n: usize) -> Option<Lan> {
        match Lan::build(n) {
            Ok(lan) => Some(lan),
            Err(e) if std::env::var_os("CI").is_some() => panic!("cannot build the test network in CI: {e}"),
            Err(e) => {
                eprintln!("skipped: cannot build a test network here ({e}); run as root to include it");
                None
            }
        }
    }

    fn build(n: usize) -> Result<Lan, String> {
        // Unique per process and per network, so parallel test binaries (and one binary's
        // successive networks, whose interfaces the kernel may still be removing) do not collide.
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let serial = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 10;
        let tag = (std::process::id() % 10_000) * 10 + serial;
        let net = ((std::process::id() + serial) % 200) as u8 + 20;
        let mut lan = Lan { bridge: format!("lpbr{tag}"), namespaces: Vec::new(), net };
        ip(&["link", "add", &lan.bridge, "type", "bridge", "mcast_snooping", "0"])?;
        ip(&["link", "set", &lan.bridge, "up"])?;
        for i in 0..n {
            let ns = format!("lp{tag}n{i}");
            let veth = format!("lp{tag}v{i}");
            ip(&["netns", "add", &ns])?;
            lan.namespaces.push(ns.clone());
            ip(&["link", "add", &veth, "type", "veth", "peer", "name", "eth0", "netns", &ns])?;
            ip(&["link", "set", &veth, "master", &lan.bridge, "up"])?;
            let addr = format!("{}/24", lan.addr(i));
            ip(&["-n", &ns, "addr", "add", &addr, "dev", "eth0"])?;
            ip(&["-n", &ns, "link", "set", "eth0", "up"])?;
            ip(&["-n", &ns, "link", "set", "lo", "up"])?;
        }
        Ok(lan)
    }

    /// The IPv4 address of host `i`.
    pub fn addr(&self, i: usize) -> String {
        format!("10.77.{}.{}", self.net, i + 1)
    }

    /// A command that runs `program` inside host `i`.
    pub fn command(&self, i: usize, program: &str) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.namespaces[i], program]);
        c
    }
}

impl Drop for Lan {
    fn drop(&mut self) {
        for ns in &self.namespaces {
            let _ = ip(&["netns", "del", ns]);
        }
        let _ = ip(&["link", "del", &self.bridge]);
    }
}
