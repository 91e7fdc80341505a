//! The runtime with a real watcher and real folders: rescans, the hash cache across restarts,
//! games appearing through the watcher, an unplugged games folder.

#![allow(clippy::unwrap_used)] // a test fails by panicking

mod common;

use std::fs;
use std::path::Path;
use std::time::Duration;

use lanparty_core::library::GameInfo;
use lanparty_core::runtime::LibrarySnapshot;
use lanparty_core::{Config, Event, Runtime};
use tokio::sync::broadcast;

use common::{make_game, test_catalog};

async fn start(games: &Path, state: &Path) -> (Runtime, broadcast::Receiver<Event>) {
    let mut config = Config::new(games.to_owned(), state.to_owned(), test_catalog(), "test".into());
    config.debounce = Duration::from_millis(200);
    // Library behaviour only: no network.
    config.port = None;
    config.mdns = false;
    Runtime::start(config).await.expect("runtime starts")
}

/// Waits for the first event `pick` accepts, up to `secs` seconds.
async fn wait_for<T>(
    events: &mut broadcast::Receiver<Event>,
    secs: u64,
    mut pick: impl FnMut(&Event) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Err(_) => panic!("no matching event within {secs} s"),
            Ok(Err(broadcast::error::RecvError::Lagged(_))) => continue,
            Ok(Err(e)) => panic!("event stream ended: {e}"),
            Ok(Ok(event)) => {
                if let Some(found) = pick(&event) {
                    return found;
                }
            }
        }
    }
}

fn find<'a>(snapshot: &'a LibrarySnapshot, id: &str) -> Option<&'a GameInfo> {
    snapshot.games.iter().find(|g| g.id == id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rescan_of_unchanged_library_hashes_nothing_even_after_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let (games, state) = (tmp.path().join("games"), tmp.path().join("state"));
    make_game(&games, "alpha", "1.0", 5_000_000);
    make_game(&games, "beta", "1.0", 1000);

    let (runtime, mut events) = start(&games, &state).await;
    let first = wait_for(&mut events, 20, |e| match e {
        Event::ScanFinished(r) => Some(r.clone()),
        _ => None,
    })
    .await;
    assert_eq!(first.hashed_bytes, 5_000_000 + 1000 + 6);
    let again = runtime.rescan().await.unwrap();
    assert_eq!((again.hashed_bytes, again.hashed_files), (0, 0));
    let hash_before = find(&runtime.list_games().await.unwrap(), "alpha").unwrap().manifest_hash.clone();
    runtime.shutdown().await;

    let (runtime, _events) = start(&games, &state).await;
    let after_restart = runtime.rescan().await.unwrap();
    assert_eq!(after_restart.hashed_bytes, 0, "the hash cache survives a restart");
    let status = runtime.library_status().await.unwrap();
    assert_eq!(status.hashed_bytes, 0);
    assert_eq!(find(&runtime.list_games().await.unwrap(), "alpha").unwrap().manifest_hash, hash_before);
    runtime.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_game_copied_in_appears_through_the_watcher() {
    let tmp = tempfile::tempdir().unwrap();
    let (games, state) = (tmp.path().join("games"), tmp.path().join("state"));
    fs::create_dir_all(&games).unwrap();
    let (runtime, mut events) = start(&games, &state).await;
    wait_for(&mut events, 20, |e| matches!(e, Event::ScanFinished(_)).then_some(())).await;

    // Copy the way a file manager does: the folder first, then its files one by one.
    make_game(&games, "copied", "1.0", 3_000_000);
    fs::create_dir_all(games.join("copied/data/maps")).unwrap();
    fs::write(games.join("copied/data/maps/one.map"), b"map").unwrap();
    let info = wait_for(&mut events, 15, |e| match e {
        Event::LibraryChanged { games, .. } => {
            games.iter().find(|g| g.id == "copied" && g.shareable && g.files == 3).cloned()
        }
        _ => None,
    })
    .await;
    assert_eq!(info.version.as_deref(), Some("1.0"));

    // A change deep inside a game folder is seen too (recursive watch of its sub-folders).
    fs::write(games.join("copied/data/maps/two.map"), b"map two").unwrap();
    wait_for(&mut events, 15, |e| match e {
        Event::LibraryChanged { games, .. } => games.iter().find(|g| g.id == "copied" && g.files == 4).map(|_| ()),
        _ => None,
    })
    .await;

    // Installing (local/ appearing) changes status; the player's files inside do not rescan.
    fs::create_dir(games.join("copied/local")).unwrap();
    wait_for(&mut events, 15, |e| match e {
        Event::LibraryChanged { games, .. } => games.iter().find(|g| g.id == "copied" && g.installed).map(|_| ()),
        _ => None,
    })
    .await;

    fs::remove_dir_all(games.join("copied")).unwrap();
    wait_for(&mut events, 15, |e| match e {
        Event::LibraryChanged { removed, .. } => removed.iter().any(|id| id == "copied").then_some(()),
        _ => None,
    })
    .await;
    runtime.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vanished_games_folder_is_unavailable_never_deleted() {
    let tmp = tempfile::tempdir().unwrap();
    let (games, state) = (tmp.path().join("games"), tmp.path().join("state"));
    make_game(&games, "alpha", "1.0", 1000);
    let (runtime, mut events) = start(&games, &state).await;
    wait_for(&mut events, 20, |e| matches!(e, Event::ScanFinished(_)).then_some(())).await;
    assert!(find(&runtime.list_games().await.unwrap(), "alpha").unwrap().shareable);

    let away = tmp.path().join("unplugged");
    fs::rename(&games, &away).unwrap();
    let reason = wait_for(&mut events, 15, |e| match e {
        Event::LibraryUnavailable { reason, .. } => Some(reason.clone()),
        _ => None,
    })
    .await;
    assert!(reason.contains("does not exist"), "{reason}");
    let snapshot = runtime.list_games().await.unwrap();
    assert!(!snapshot.available);
    let alpha = find(&snapshot, "alpha").expect("an unplugged folder's games are remembered");
    assert!(!alpha.shareable);

    fs::rename(&away, &games).unwrap();
    wait_for(&mut events, 15, |e| matches!(e, Event::LibraryAvailable { .. }).then_some(())).await;
    let snapshot = runtime.list_games().await.unwrap();
    assert!(snapshot.available);
    assert!(find(&snapshot, "alpha").unwrap().shareable);
    runtime.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hashing_reports_progress() {
    let tmp = tempfile::tempdir().unwrap();
    let (games, state) = (tmp.path().join("games"), tmp.path().join("state"));
    make_game(&games, "alpha", "1.0", 20_000_000);
    let (runtime, mut events) = start(&games, &state).await;
    let (done, total) = wait_for(&mut events, 20, |e| match e {
        Event::HashProgressed { game, bytes_done, bytes_total } if game == "alpha" && bytes_done == bytes_total => {
            Some((*bytes_done, *bytes_total))
        }
        _ => None,
    })
    .await;
    assert_eq!((done, total), (20_000_003, 20_000_003));
    runtime.shutdown().await;
}

/// Asked right after start, while the first scan still hashes, the library answers with what
/// that scan finds, not with an empty list.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_listing_waits_for_the_first_scan() {
    let tmp = tempfile::tempdir().unwrap();
    let (games, state) = (tmp.path().join("games"), tmp.path().join("state"));
    make_game(&games, "alpha", "1.0", 64_000_000);
    let (runtime, _events) = start(&games, &state).await;
    // Hashing 64 MB takes long enough that this request arrives during the first scan.
    let snapshot = runtime.list_games().await.unwrap();
    assert!(find(&snapshot, "alpha").is_some_and(|g| g.shareable), "{snapshot:?}");
    runtime.shutdown().await;
}
