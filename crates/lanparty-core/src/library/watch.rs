//! From file-system events to rescans.
//!
//! The watcher covers the games folder (not recursively), each root (not recursively) and each
//! top-level folder of a game except `local/` and reserved ones (recursively): installed games
//! can hold hundreds of thousands of folders that the library never serves, and inotify pays
//! per watched folder. Events are mapped to the root they concern and debounced per game:
//! a copy in progress produces a stream of events and one scan after it goes quiet.
//!
//! Watchers lose events (queue overflow, network drives), so the runtime also rescans
//! everything periodically and whenever the watcher reports it dropped events.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

use super::{LOCAL_DIR, RESERVED_PREFIX};

/// What an event asks of the library.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// Rescan this root.
    Root(String),
    /// Rescan everything (the games folder itself changed, or events were lost).
    Full,
    /// Nothing: the player's `local/` content, or the launcher's own reserved files.
    Nothing,
}

/// Maps a changed path to what must be rescanned.
pub fn classify(games_dir: &Path, path: &Path) -> Trigger {
    let Ok(rel) = path.strip_prefix(games_dir) else { return Trigger::Nothing };
    let mut parts = rel.components();
    let root = match parts.next() {
        None => return Trigger::Full,
        Some(Component::Normal(root)) => root.to_string_lossy().into_owned(),
        Some(_) => return Trigger::Nothing,
    };
    match parts.next() {
        Some(Component::Normal(second)) => {
            let second = second.to_string_lossy();
            let is_local = second == LOCAL_DIR;
            let is_reserved = second.to_lowercase().starts_with(RESERVED_PREFIX);
            // `local/` appearing or vanishing changes "installed"; what is inside it does not
            // concern the library.
            if is_reserved || (is_local && parts.next().is_some()) { Trigger::Nothing } else { Trigger::Root(root) }
        }
        _ => Trigger::Root(root),
    }
}

/// Per-root quiet-period timers.
#[derive(Debug, Default)]
pub struct Debouncer {
    due: BTreeMap<String, Instant>,
}

impl Debouncer {
    /// Notes activity on `root` at `now`; its scan becomes due `quiet` after the last activity.
    pub fn touch(&mut self, root: String, now: Instant, quiet: Duration) {
        self.due.insert(root, now + quiet);
    }

    /// The earliest time a root becomes due.
    pub fn next_due(&self) -> Option<Instant> {
        self.due.values().min().copied()
    }

    /// Removes and returns the roots due at `now`.
    pub fn take_due(&mut self, now: Instant) -> BTreeSet<String> {
        let due: BTreeSet<String> = self.due.iter().filter(|(_, t)| **t <= now).map(|(r, _)| r.clone()).collect();
        for r in &due {
            self.due.remove(r);
        }
        due
    }

    pub fn clear(&mut self) {
        self.due.clear();
    }
}

/// The folders to watch: each path with whether to watch it recursively.
pub type WatchSet = BTreeMap<PathBuf, bool>;

/// What to change to go from the `current` watches to the `wanted` ones.
pub fn diff(current: &WatchSet, wanted: &WatchSet) -> (Vec<PathBuf>, Vec<(PathBuf, bool)>) {
    let remove = current.iter().filter(|(p, r)| wanted.get(*p) != Some(r)).map(|(p, _)| p.clone()).collect();
    let add = wanted.iter().filter(|(p, r)| current.get(*p) != Some(r)).map(|(p, r)| (p.clone(), *r)).collect();
    (remove, add)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_paths() {
        let g = Path::new("/games");
        assert_eq!(classify(g, Path::new("/games")), Trigger::Full);
        assert_eq!(classify(g, Path::new("/games/quake")), Trigger::Root("quake".into()));
        assert_eq!(classify(g, Path::new("/games/quake/a.rar")), Trigger::Root("quake".into()));
        assert_eq!(classify(g, Path::new("/games/quake/local")), Trigger::Root("quake".into()));
        assert_eq!(classify(g, Path::new("/games/quake/local/save.dat")), Trigger::Nothing);
        assert_eq!(classify(g, Path::new("/games/quake/.lanparty-staging/x")), Trigger::Nothing);
        assert_eq!(classify(g, Path::new("/elsewhere/x")), Trigger::Nothing);
    }

    #[test]
    fn debounce_waits_for_quiet() {
        let t0 = Instant::now();
        let quiet = Duration::from_secs(1);
        let mut d = Debouncer::default();
        d.touch("a".into(), t0, quiet);
        d.touch("a".into(), t0 + Duration::from_millis(800), quiet);
        d.touch("b".into(), t0 + Duration::from_millis(100), quiet);
        assert_eq!(d.next_due(), Some(t0 + Duration::from_millis(1100)));
        assert!(d.take_due(t0 + Duration::from_millis(1000)).is_empty());
        assert_eq!(d.take_due(t0 + Duration::from_millis(1100)), BTreeSet::from(["b".to_owned()]));
        assert_eq!(d.take_due(t0 + Duration::from_millis(1800)), BTreeSet::from(["a".to_owned()]));
        assert_eq!(d.next_due(), None);
    }

    #[test]
    fn diff_changes_only_what_differs() {
        let current = WatchSet::from([("/a".into(), false), ("/b".into(), true), ("/c".into(), true)]);
        let wanted = WatchSet::from([("/a".into(), false), ("/b".into(), false), ("/d".into(), true)]);
        let (remove, add) = diff(&current, &wanted);
        assert_eq!(remove, vec![PathBuf::from("/b"), PathBuf::from("/c")]);
        assert_eq!(add, vec![(PathBuf::from("/b"), false), (PathBuf::from("/d"), true)]);
    }
}
