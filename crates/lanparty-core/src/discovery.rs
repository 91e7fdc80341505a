//! Finding peers on the LAN with mDNS (DNS-SD).
//!
//! Every peer registers `_lanparty._udp.local.` on each usable IPv4 interface, with TXT records
//! `id` (peer id), `proto` (protocol version), `port` (the real UDP port), `rev` (library
//! revision) and `name` (display name), and browses for the others. A find becomes a dial target
//! that expects the advertised id: the TLS handshake must prove it, so a record claiming someone
//! else's id leads nowhere (the failed dial is logged).
//!
//! IPv6 is left out: mdns-sd may resolve a service to a link-local IPv6 address first, which
//! needs a scope to dial, and every LAN that runs Lanparty has IPv4. Loopback is left out too:
//! peers on one machine find each other through their real interfaces.
//!
//! The mdns-sd daemon runs on its own thread; it is checked every few seconds and recreated if
//! it stopped answering; [`MdnsState`] says which, for hosts.
//!
//! [`diagnose`] lists this machine's IPv4 interfaces and turns them, the port and the mDNS state
//! into hints for a player whose peers do not appear ([`diagnosis`] is the pure part).

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use mdns_sd::{IfKind, ServiceDaemon, ServiceEvent, ServiceInfo};
use serde::Serialize;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::identity::PeerId;
use crate::net::{LocalShare, Net, Source};
use crate::proto::PROTOCOL_VERSION;

pub const SERVICE_TYPE: &str = "_lanparty._udp.local.";
/// How often the daemon's health is checked.
const HEALTH_EVERY: Duration = Duration::from_secs(5);
/// Least time between two re-registrations for a changed library revision.
const REANNOUNCE_EVERY: Duration = Duration::from_secs(2);

/// What this peer announces.
#[derive(Clone, Debug)]
pub struct Announce {
    pub peer_id: PeerId,
    pub name: String,
    pub port: u16,
}

/// Whether discovery runs, for the network diagnosis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum MdnsState {
    /// Turned off in the configuration (or the runtime is offline).
    Off,
    Starting,
    Running,
    /// The daemon could not start or stopped answering; it is being retried.
    Failed {
        reason: String,
    },
}

/// Runs discovery until `shutdown`: registers, browses, hands finds to `net`, and keeps
/// `state` up to date.
pub(crate) async fn run(
    announce: Announce,
    net: Net,
    mut share: watch::Receiver<Arc<LocalShare>>,
    shutdown: CancellationToken,
    state: watch::Sender<MdnsState>,
) {
    let mut restarts = 0u32;
    loop {
        let daemon = match start_daemon() {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, "cannot start mDNS; retrying (add peers by address meanwhile)");
                state.send_replace(MdnsState::Failed { reason: e.to_string() });
                if sleep_or_shutdown(&shutdown, Duration::from_secs(5)).await {
                    return;
                }
                continue;
            }
        };
        state.send_replace(MdnsState::Running);
        let stopped = serve(&daemon, &announce, &net, &mut share, &shutdown).await;
        let _ = daemon.shutdown();
        if stopped {
            state.send_replace(MdnsState::Off);
            return;
        }
        restarts += 1;
        let reason = "the mDNS daemon stopped answering or could not register; restarting it".to_owned();
        state.send_replace(MdnsState::Failed { reason });
        tracing::warn!(restarts, "mDNS daemon stopped answering; restarting it");
        if sleep_or_shutdown(&shutdown, Duration::from_secs(1)).await {
            return;
        }
    }
}

fn start_daemon() -> Result<ServiceDaemon, mdns_sd::Error> {
    let daemon = ServiceDaemon::new()?;
    daemon.disable_interface(vec![IfKind::IPv6, IfKind::LoopbackV4, IfKind::LoopbackV6])?;
    Ok(daemon)
}

fn service(announce: &Announce, revision: u64) -> Result<ServiceInfo, mdns_sd::Error> {
    let id = announce.peer_id.to_string();
    let host = format!("lanparty-{}.local.", announce.peer_id.short().to_lowercase());
    // A TXT string holds at most 255 bytes; names are bounded far below that by characters,
    // but cut on a character boundary to be safe.
    let name: String = announce.name.chars().take(60).collect();
    let txt = [
        ("id", id.clone()),
        ("proto", PROTOCOL_VERSION.to_string()),
        ("port", announce.port.to_string()),
        ("rev", revision.to_string()),
        ("name", name),
    ];
    Ok(ServiceInfo::new(SERVICE_TYPE, &id, &host, "", announce.port, &txt[..])?.enable_addr_auto())
}

/// Registers and browses on `daemon` until shutdown (`true`) or the daemon fails (`false`).
async fn serve(
    daemon: &ServiceDaemon,
    announce: &Announce,
    net: &Net,
    share: &mut watch::Receiver<Arc<LocalShare>>,
    shutdown: &CancellationToken,
) -> bool {
    let mut revision = share.borrow_and_update().revision;
    let register = |revision| service(announce, revision).and_then(|s| daemon.register(s));
    if let Err(e) = register(revision) {
        tracing::warn!(error = %e, "cannot register the mDNS service");
        return false;
    }
    let browse = match daemon.browse(SERVICE_TYPE) {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "cannot browse mDNS");
            return false;
        }
    };
    let mut health = tokio::time::interval(HEALTH_EVERY);
    let mut last_announce = tokio::time::Instant::now();
    // A revision change inside the throttle window is announced when the window ends.
    let mut pending_revision: Option<u64> = None;
    loop {
        let reannounce = async {
            match pending_revision {
                Some(_) => tokio::time::sleep_until(last_announce + REANNOUNCE_EVERY).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = shutdown.cancelled() => return true,
            event = browse.recv_async() => match event {
                Ok(ServiceEvent::ServiceResolved(found)) => {
                    let Some(id) = found.get_property_val_str("id").and_then(PeerId::parse) else {
                        tracing::debug!(name = %found.fullname, "mDNS record without a valid peer id");
                        continue;
                    };
                    if id == announce.peer_id {
                        continue;
                    }
                    for ip in found.get_addresses_v4() {
                        let addr = SocketAddr::new(ip.into(), found.port);
                        tracing::debug!(peer = %id.short(), %addr, "found by mDNS");
                        let _ = net.add_target(addr, Some(id), Source::Mdns).await;
                    }
                }
                Ok(_) => {}
                Err(_) => return false,
            },
            changed = share.changed() => {
                if changed.is_err() {
                    return true;
                }
                let now = share.borrow_and_update().revision;
                if now != revision {
                    pending_revision = Some(now);
                }
            }
            _ = reannounce => {
                if let Some(now) = pending_revision.take() {
                    revision = now;
                    last_announce = tokio::time::Instant::now();
                    if let Err(e) = register(revision) {
                        tracing::debug!(error = %e, "cannot update the mDNS record");
                    }
                }
            }
            _ = health.tick() => {
                let alive = match daemon.status() {
                    Ok(rx) => tokio::time::timeout(Duration::from_secs(2), rx.recv_async()).await.is_ok_and(|s| s.is_ok()),
                    Err(_) => false,
                };
                if !alive {
                    return false;
                }
            }
        }
    }
}

/// Sleeps, or returns `true` at once when shutting down.
async fn sleep_or_shutdown(shutdown: &CancellationToken, d: Duration) -> bool {
    tokio::select! {
        _ = shutdown.cancelled() => true,
        _ = tokio::time::sleep(d) => false,
    }
}

/// An IPv4 address of a network interface, as the diagnosis shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct InterfaceInfo {
    pub name: String,
    pub ipv4: Ipv4Addr,
    pub prefix_len: u8,
    pub is_up: bool,
    pub is_loopback: bool,
    /// 169.254.x.x: the address a computer gives itself when no DHCP server answered.
    pub is_link_local: bool,
    /// A point-to-point link (most VPNs).
    pub is_point_to_point: bool,
    /// Up, not loopback, not point-to-point: mDNS announces and listens on it.
    pub is_multicast_capable: bool,
}

impl InterfaceInfo {
    pub fn new(name: &str, ipv4: Ipv4Addr, prefix_len: u8, is_up: bool, is_point_to_point: bool) -> InterfaceInfo {
        InterfaceInfo {
            name: name.to_owned(),
            ipv4,
            prefix_len,
            is_up,
            is_loopback: ipv4.is_loopback(),
            is_link_local: ipv4.is_link_local(),
            is_point_to_point,
            is_multicast_capable: is_up && !ipv4.is_loopback() && !is_point_to_point,
        }
    }

    /// Whether `ip` is on this interface's subnet.
    pub fn holds(&self, ip: Ipv4Addr) -> bool {
        let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix_len.min(32))).unwrap_or(0);
        u32::from(ip) & mask == u32::from(self.ipv4) & mask
    }

    fn cidr(&self) -> String {
        format!("{} {}/{}", self.name, self.ipv4, self.prefix_len)
    }
}

/// What the network looks like from this peer, and what to check when peers do not appear.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NetworkDiagnosis {
    pub interfaces: Vec<InterfaceInfo>,
    /// The UDP port peers reach this one on; `None` when offline.
    pub port: Option<u16>,
    pub mdns: MdnsState,
    /// Sentences for the player, most important first.
    pub hints: Vec<String>,
}

/// The mDNS port, which a firewall must let through for peers to find each other.
pub const MDNS_PORT: u16 = 5353;

/// Lists this machine's IPv4 interfaces and diagnoses them (see [`diagnosis`]).
pub fn diagnose(port: Option<u16>, mdns: MdnsState, manual_peers: &[String]) -> NetworkDiagnosis {
    let interfaces = match if_addrs::get_if_addrs() {
        Ok(found) => found
            .into_iter()
            .filter_map(|i| match &i.addr {
                if_addrs::IfAddr::V4(v4) => {
                    Some(InterfaceInfo::new(&i.name, v4.ip, v4.prefixlen, i.is_oper_up(), i.is_p2p()))
                }
                if_addrs::IfAddr::V6(_) => None,
            })
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot list the network interfaces");
            Vec::new()
        }
    };
    diagnosis(interfaces, port, mdns, manual_peers)
}

/// The diagnosis of `interfaces` for a peer on `port` with discovery in state `mdns`; the
/// manual peers given as `IP:PORT` are checked against the subnets.
pub fn diagnosis(
    mut interfaces: Vec<InterfaceInfo>,
    port: Option<u16>,
    mdns: MdnsState,
    manual_peers: &[String],
) -> NetworkDiagnosis {
    interfaces.sort_by(|a, b| (a.is_loopback, &a.name, a.ipv4).cmp(&(b.is_loopback, &b.name, b.ipv4)));
    let mut hints = Vec::new();
    let usable: Vec<&InterfaceInfo> = interfaces.iter().filter(|i| i.is_multicast_capable).collect();
    let routable: Vec<&InterfaceInfo> = usable.iter().copied().filter(|i| !i.is_link_local).collect();
    let list = |ifs: &[&InterfaceInfo]| ifs.iter().map(|i| i.cidr()).collect::<Vec<_>>().join(", ");
    if usable.is_empty() {
        hints.push(
            "no network connection with an IPv4 address is up: connect this computer to the LAN (cable or Wi-Fi)"
                .to_owned(),
        );
    } else if routable.is_empty() {
        hints.push(format!(
            "{} only has a self-assigned address (169.254.x.x), so no DHCP server answered: check the cable or the router, or give this computer a fixed address",
            list(&usable)
        ));
    }
    match port {
        None => hints.push("Lanparty is offline (it listens on no port): peers cannot reach it; restart it".to_owned()),
        Some(port) => {
            hints.push(format!(
                "the firewall must allow UDP port {port} (Lanparty) and UDP port {MDNS_PORT} (mDNS), incoming and outgoing; on Windows, allow Lanparty on private networks when asked"
            ));
            if port != crate::net::DEFAULT_PORT {
                hints.push(format!(
                    "UDP port {default} was taken, so Lanparty listens on {port}: whoever adds this computer by address must write IP:{port}",
                    default = crate::net::DEFAULT_PORT
                ));
            }
        }
    }
    match &mdns {
        MdnsState::Off => hints.push("mDNS is off: other peers are found only when added by address (HOST:PORT)".to_owned()),
        MdnsState::Starting => hints.push("mDNS is starting: peers appear within a few seconds".to_owned()),
        MdnsState::Running => {}
        MdnsState::Failed { reason } => hints.push(format!(
            "mDNS does not work ({reason}): add peers by address (HOST:PORT), and check that nothing blocks UDP port {MDNS_PORT}"
        )),
    }
    match routable.as_slice() {
        [] => {}
        [one] => hints.push(format!(
            "the other players must be on the same network ({}); mDNS does not cross routers, so peers on another subnet must be added by address",
            one.cidr()
        )),
        several => hints.push(format!(
            "this computer is on several networks ({}): the other players must be on the same subnet as one of them; a VPN or virtual network here may be announced too",
            list(several)
        )),
    }
    for addr in manual_peers {
        let Ok(addr) = addr.parse::<std::net::SocketAddrV4>() else { continue };
        if !routable.is_empty() && !routable.iter().any(|i| i.holds(*addr.ip())) {
            hints.push(format!(
                "manual peer {addr} is on none of this computer's networks: it is reached only through a router or VPN, which must forward UDP port {}",
                addr.port()
            ));
        }
    }
    NetworkDiagnosis { interfaces, port, mdns, hints }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lan(name: &str, ip: [u8; 4], prefix: u8) -> InterfaceInfo {
        InterfaceInfo::new(name, Ipv4Addr::from(ip), prefix, true, false)
    }

    fn loopback() -> InterfaceInfo {
        InterfaceInfo::new("lo", Ipv4Addr::LOCALHOST, 8, true, false)
    }

    fn hints(d: &NetworkDiagnosis) -> String {
        d.hints.join("\n")
    }

    #[test]
    fn interface_flags_and_subnets() {
        let eth = lan("eth0", [192, 168, 1, 5], 24);
        assert!(eth.is_multicast_capable && !eth.is_loopback && !eth.is_link_local);
        assert!(eth.holds(Ipv4Addr::new(192, 168, 1, 200)));
        assert!(!eth.holds(Ipv4Addr::new(192, 168, 2, 1)));
        assert!(!loopback().is_multicast_capable);
        assert!(!InterfaceInfo::new("tun0", Ipv4Addr::new(10, 8, 0, 2), 24, true, true).is_multicast_capable);
        assert!(!InterfaceInfo::new("eth1", Ipv4Addr::new(10, 0, 0, 2), 24, false, false).is_multicast_capable);
        assert!(lan("eth0", [169, 254, 3, 4], 16).is_link_local);
        // Prefix edges: /0 holds everything, /32 only itself.
        assert!(lan("a", [10, 0, 0, 1], 0).holds(Ipv4Addr::new(8, 8, 8, 8)));
        assert!(lan("a", [10, 0, 0, 1], 32).holds(Ipv4Addr::new(10, 0, 0, 1)));
        assert!(!lan("a", [10, 0, 0, 1], 32).holds(Ipv4Addr::new(10, 0, 0, 2)));
    }

    #[test]
    fn a_healthy_lan_gets_the_firewall_and_subnet_hints() {
        let d = diagnosis(vec![loopback(), lan("eth0", [192, 168, 1, 5], 24)], Some(47474), MdnsState::Running, &[]);
        assert_eq!(d.interfaces[0].name, "eth0", "loopback sorts last");
        assert_eq!(d.hints.len(), 2, "{:?}", d.hints);
        assert!(d.hints[0].contains("UDP port 47474") && d.hints[0].contains("UDP port 5353"));
        assert!(d.hints[1].contains("same network (eth0 192.168.1.5/24)"));
    }

    #[test]
    fn no_network_comes_first() {
        let d = diagnosis(vec![loopback()], Some(47474), MdnsState::Running, &[]);
        assert!(d.hints[0].starts_with("no network connection with an IPv4 address is up"));
        let down = InterfaceInfo::new("eth0", Ipv4Addr::new(192, 168, 1, 5), 24, false, false);
        let d = diagnosis(vec![down], Some(47474), MdnsState::Running, &[]);
        assert!(d.hints[0].starts_with("no network connection"));
    }

    #[test]
    fn self_assigned_address_means_no_dhcp() {
        let d = diagnosis(vec![lan("eth0", [169, 254, 7, 9], 16)], Some(47474), MdnsState::Running, &[]);
        assert!(d.hints[0].contains("self-assigned") && d.hints[0].contains("eth0 169.254.7.9/16"), "{}", hints(&d));
        assert!(!hints(&d).contains("same network"));
    }

    #[test]
    fn port_and_mdns_states_have_hints() {
        let eth = || vec![lan("eth0", [10, 0, 0, 2], 24)];
        let d = diagnosis(eth(), Some(47475), MdnsState::Running, &[]);
        assert!(hints(&d).contains("UDP port 47474 was taken, so Lanparty listens on 47475"));
        let d = diagnosis(eth(), None, MdnsState::Off, &[]);
        assert!(hints(&d).contains("Lanparty is offline"));
        assert!(hints(&d).contains("mDNS is off"));
        let d = diagnosis(eth(), Some(47474), MdnsState::Failed { reason: "no socket".into() }, &[]);
        assert!(hints(&d).contains("mDNS does not work (no socket)"));
        let d = diagnosis(eth(), Some(47474), MdnsState::Starting, &[]);
        assert!(hints(&d).contains("mDNS is starting"));
    }

    #[test]
    fn several_networks_and_foreign_manual_peers() {
        let ifs = vec![lan("eth0", [192, 168, 1, 5], 24), lan("docker0", [172, 17, 0, 1], 16)];
        let peers = ["192.168.1.9:47474".to_owned(), "10.9.9.9:47474".to_owned(), "fileserver:47474".to_owned()];
        let d = diagnosis(ifs, Some(47474), MdnsState::Running, &peers);
        let text = hints(&d);
        assert!(text.contains("several networks (docker0 172.17.0.1/16, eth0 192.168.1.5/24)"), "{text}");
        assert!(text.contains("manual peer 10.9.9.9:47474 is on none of this computer's networks"), "{text}");
        assert!(!text.contains("192.168.1.9"), "a peer on the LAN needs no hint: {text}");
        assert!(!text.contains("fileserver"), "names are not resolved here: {text}");
    }

    #[test]
    fn diagnose_lists_real_interfaces() {
        let d = diagnose(Some(47474), MdnsState::Off, &[]);
        assert!(d.hints.iter().any(|h| h.contains("mDNS is off")));
        // Every machine that runs the tests has a loopback interface.
        assert!(d.interfaces.iter().any(|i| i.is_loopback), "{:?}", d.interfaces);
    }
}
