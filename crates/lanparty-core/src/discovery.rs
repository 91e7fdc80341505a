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
//! it stopped answering.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use mdns_sd::{IfKind, ServiceDaemon, ServiceEvent, ServiceInfo};
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

/// Runs discovery until `shutdown`: registers, browses, hands finds to `net`.
pub(crate) async fn run(
    announce: Announce,
    net: Net,
    mut share: watch::Receiver<Arc<LocalShare>>,
    shutdown: CancellationToken,
) {
    let mut restarts = 0u32;
    loop {
        let daemon = match start_daemon() {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, "cannot start mDNS; retrying (add peers by address meanwhile)");
                if sleep_or_shutdown(&shutdown, Duration::from_secs(5)).await {
                    return;
                }
                continue;
            }
        };
        let stopped = serve(&daemon, &announce, &net, &mut share, &shutdown).await;
        let _ = daemon.shutdown();
        if stopped {
            return;
        }
        restarts += 1;
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
