//! What the LAN has: the local library merged with every connected peer's.
//!
//! Pure logic, no IO: given the local games, the peers' libraries and the catalog, it says per
//! game which peers hold which version, the newest version anywhere, and how many peers can
//! serve that newest version. Versions are ordered by [`compare_versions`].

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog::Catalog;
use crate::library::{GameInfo, MetaSource};
use crate::net::RemotePeer;

/// One peer's copy of a game.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PeerCopy {
    pub peer_id: String,
    pub name: String,
    pub version: String,
    pub manifest_hash: String,
    pub size: u64,
}

/// Orders version strings the way people read them: runs of digits compare as numbers, other
/// runs as text, so `1.10 > 1.9`, `0.8.8 > 0.8`, `release-20250330 > release-20241201`.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (runs(a), runs(b));
    loop {
        match (x.next(), y.next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) => {
                let order = match (p.parse::<u128>(), q.parse::<u128>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    _ => p.cmp(q),
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

/// Splits into maximal runs of ASCII digits and of other characters.
fn runs(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = s;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let digit = first.is_ascii_digit();
        let end = rest.find(|c: char| c.is_ascii_digit() != digit).unwrap_or(rest.len());
        let (run, tail) = rest.split_at(end);
        rest = tail;
        Some(run)
    })
}

/// The local games and the games only peers have, each with `peers`, `latest_version` and
/// `copies` filled in.
pub fn merge(local: Vec<GameInfo>, peers: &[RemotePeer], catalog: &Catalog) -> Vec<GameInfo> {
    let libraries = peers.iter().map(|p| (p.peer_id.to_string(), p.name.as_str(), p.library.games.as_slice()));
    merge_copies(local, libraries, catalog)
}

/// [`merge`] on (peer id, peer name, shared games), borrowed.
pub fn merge_copies<'a>(
    local: Vec<GameInfo>,
    libraries: impl IntoIterator<Item = (String, &'a str, &'a [crate::proto::GameSummary])>,
    catalog: &Catalog,
) -> Vec<GameInfo> {
    let mut games: BTreeMap<String, GameInfo> = local.into_iter().map(|g| (g.id.clone(), g)).collect();
    for (peer_id, peer_name, shared) in libraries {
        for summary in shared {
            let id = summary.id.to_string();
            let info = games.entry(id.clone()).or_insert_with(|| {
                let (meta, source) = match (catalog.get(&id), &summary.meta) {
                    (Some(meta), _) => (meta.clone(), MetaSource::Catalog),
                    (None, Some(meta)) => ((**meta).clone(), MetaSource::Peer),
                    (None, None) => {
                        (crate::catalog::GameMeta::unknown(summary.id.clone(), &summary.version), MetaSource::Peer)
                    }
                };
                let mut info = GameInfo::remote_only(&meta, source);
                info.size = summary.size;
                info
            });
            info.copies.push(PeerCopy {
                peer_id: peer_id.clone(),
                name: peer_name.to_owned(),
                version: summary.version.clone(),
                manifest_hash: summary.manifest_hash.to_hex(),
                size: summary.size,
            });
        }
    }
    for info in games.values_mut() {
        let newest_remote = info.copies.iter().map(|c| c.version.as_str()).max_by(|a, b| compare_versions(a, b));
        let latest = match (info.version.as_deref(), newest_remote) {
            (Some(l), Some(r)) => Some(if compare_versions(l, r) == Ordering::Less { r } else { l }),
            (l, r) => l.or(r),
        };
        info.latest_version = latest.map(str::to_owned);
        // Downloaded here, and a peer has a newer version: `update` fetches it.
        info.update_available = info.downloaded
            && matches!((info.version.as_deref(), newest_remote), (Some(l), Some(r)) if compare_versions(l, r) == Ordering::Less);
        info.peers = info.copies.iter().filter(|c| Some(c.version.as_str()) == latest).count();
        // A game not here is as big as the newest copy a peer has.
        if !info.downloaded {
            if let Some(copy) = info.copies.iter().find(|c| Some(c.version.as_str()) == latest) {
                info.size = copy.size;
            }
        }
        info.copies.sort_by(|a, b| a.name.cmp(&b.name).then(a.peer_id.cmp(&b.peer_id)));
    }
    games.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{GameId, GameMeta};
    use crate::library::Hash;
    use crate::proto::GameSummary;

    fn summary(id: &str, version: &str, size: u64) -> GameSummary {
        GameSummary {
            id: GameId::new(id).unwrap(),
            version: version.into(),
            manifest_hash: Hash::of(version.as_bytes()),
            size,
            meta: None,
        }
    }

    #[test]
    fn merge_counts_holders_of_the_newest_version() {
        let catalog = Catalog::parse(
            r#"{"schema_version":1,"games":[{"id":"quake","title":"Quake","description":"","genre":"Shooter",
               "players":{"min":1,"max":16},"version":"1.1","approx_size_bytes":7,"can_host_server":true}]}"#,
            std::path::Path::new("c.json"),
        )
        .unwrap();
        let meta = catalog.get("quake").unwrap().clone();
        let mut local = GameInfo::remote_only(&meta, MetaSource::Catalog);
        local.version = Some("1.0".into());
        local.downloaded = true;
        let libraries = [
            ("P1", "Zed", vec![summary("quake", "1.10", 100), summary("unknown-mod", "3", 55)]),
            ("P2", "Amy", vec![summary("quake", "1.10", 100)]),
            ("P3", "Bob", vec![summary("quake", "1.9", 90), summary("unknown-mod", "2", 44)]),
        ];
        let borrowed = libraries.iter().map(|(id, name, games)| (id.to_string(), *name, games.as_slice()));
        let merged = merge_copies(vec![local], borrowed, &catalog);
        let quake = merged.iter().find(|g| g.id == "quake").unwrap();
        assert_eq!(quake.latest_version.as_deref(), Some("1.10"));
        assert_eq!(quake.peers, 2);
        assert_eq!(quake.version.as_deref(), Some("1.0"));
        assert!(quake.update_available, "downloaded at 1.0, peers have 1.10");
        let names: Vec<&str> = quake.copies.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Amy", "Bob", "Zed"]);

        let unknown = merged.iter().find(|g| g.id == "unknown-mod").unwrap();
        assert_eq!((unknown.peers, unknown.size, unknown.downloaded), (1, 55, false));
        assert_eq!(unknown.latest_version.as_deref(), Some("3"));
        assert!(!unknown.update_available, "not downloaded here: a download, not an update");
        assert_eq!(unknown.source, MetaSource::Peer);
        assert_eq!(unknown.title, GameMeta::unknown(GameId::new("unknown-mod").unwrap(), "3").title);
    }

    #[test]
    fn versions_order_as_people_read_them() {
        let ordered = ["0.8", "0.8.8", "0.9", "1.9", "1.10", "1.10a", "2", "release-20241201", "release-20250330"];
        for w in ordered.windows(2) {
            assert_eq!(compare_versions(w[0], w[1]), Ordering::Less, "{} < {}", w[0], w[1]);
            assert_eq!(compare_versions(w[1], w[0]), Ordering::Greater);
        }
        assert_eq!(compare_versions("1.0", "1.0"), Ordering::Equal);
        assert_eq!(compare_versions("99999999999999999999999999999999999999999", "1"), Ordering::Greater);
    }
}
