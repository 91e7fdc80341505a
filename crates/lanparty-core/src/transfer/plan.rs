//! Which chunk to ask which peer for: the download planner.
//!
//! Pure logic, no IO and no clock: the caller says what happened (a chunk arrived after so
//! long, a chunk was corrupt, a peer left) and passes the current time as a value; the planner
//! says which requests to send and which to cancel. Tests drive it deterministically.
//!
//! - Chunks go out in manifest order (neighbouring chunks, neighbouring disk writes).
//! - Each peer keeps several requests in flight; how many grows with its measured rate, so a
//!   fast peer's pipe stays full and a slow peer holds few chunks. Work is pulled: a peer gets
//!   a new chunk when one of its own finishes, so a slow peer gets less.
//! - A peer that leaves hands its chunks back to the front of the queue.
//! - A corrupt chunk is handed back and counts a strike; at [`MAX_STRIKES`] the peer is dropped
//!   from this download.
//! - Endgame: once nothing is left to hand out, an idle peer may also fetch a chunk another peer
//!   is still working on, if it would finish first; the first copy to arrive wins and the
//!   other request is cancelled. One slow peer cannot hold up the tail.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::hash::Hash;
use std::time::Duration;

/// Corrupt chunks a peer may send before it is dropped from the download.
pub const MAX_STRIKES: u32 = 3;
/// Requests in flight per peer: at least this many (one arriving, one queued behind it at the
/// seed, one being asked for), to hide the round trip and the hashing between chunks...
pub const MIN_WINDOW: usize = 3;
/// ...and at most this many, to bound the memory chunks in flight take.
pub const MAX_WINDOW: usize = 8;
/// A peer's window holds about this much time of transfer at its measured rate.
const WINDOW_TIME: Duration = Duration::from_millis(100);
/// Weight of the newest measurement in a peer's rate.
const RATE_WEIGHT: f64 = 0.3;
/// Copies of one chunk in flight at most (the endgame adds one).
const MAX_COPIES: usize = 2;

/// A chunk: (file index in the manifest, chunk index in the file).
pub type ChunkId = (u32, u32);

/// A request the caller should send, or cancel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment<P> {
    pub peer: P,
    pub chunk: ChunkId,
}

#[derive(Debug)]
struct PeerState {
    /// Bytes per second, once measured.
    rate: Option<f64>,
    /// Chunk, and when it was asked for.
    in_flight: BTreeMap<ChunkId, Duration>,
    /// When its last chunk arrived: with several requests in flight, a chunk's service time
    /// starts there, not when it was asked for (that includes waiting behind the others).
    last_arrival: Option<Duration>,
    strikes: u32,
}

impl PeerState {
    fn window(&self, chunk_bytes: u64) -> usize {
        match self.rate {
            None => MIN_WINDOW,
            Some(rate) => {
                let chunks = rate * WINDOW_TIME.as_secs_f64() / chunk_bytes.max(1) as f64;
                (chunks.ceil() as usize).clamp(MIN_WINDOW, MAX_WINDOW)
            }
        }
    }

    /// When this peer would finish a chunk of `bytes` asked for at `start`.
    fn finish_estimate(&self, start: Duration, bytes: u64) -> Option<Duration> {
        let rate = self.rate?;
        (rate > 0.0).then(|| start + Duration::from_secs_f64(bytes as f64 / rate))
    }
}

/// Why a peer was dropped from the download.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dropped {
    /// It sent [`MAX_STRIKES`] corrupt chunks.
    Strikes,
}

/// What the planner says after being told a chunk arrived intact.
#[derive(Debug, PartialEq, Eq)]
pub struct Arrived<P> {
    /// `false` if another copy had already arrived: discard this one.
    pub is_first: bool,
    /// Other requests for the same chunk, now pointless.
    pub cancel: Vec<Assignment<P>>,
}

/// Plans one download: which chunks remain, who fetches what.
#[derive(Debug)]
pub struct Planner<P> {
    /// Chunk sizes, by id; the whole download.
    sizes: BTreeMap<ChunkId, u64>,
    /// Typical chunk size, for windows.
    chunk_bytes: u64,
    queue: VecDeque<ChunkId>,
    /// Who is fetching each chunk in flight.
    holders: HashMap<ChunkId, Vec<P>>,
    done: BTreeSet<ChunkId>,
    peers: BTreeMap<P, PeerState>,
    /// Requests in flight across all peers, at most: each holds a chunk buffer.
    capacity: usize,
}

impl<P: Clone + Ord + Hash + Eq> Planner<P> {
    /// A plan for the chunks in `todo` (id and size), in order; `chunk_bytes` is the usual
    /// chunk size.
    pub fn new(todo: impl IntoIterator<Item = (ChunkId, u64)>, chunk_bytes: u64) -> Planner<P> {
        let sizes: BTreeMap<ChunkId, u64> = todo.into_iter().collect();
        Planner {
            queue: sizes.keys().copied().collect(),
            sizes,
            chunk_bytes,
            holders: HashMap::new(),
            done: BTreeSet::new(),
            peers: BTreeMap::new(),
            capacity: usize::MAX,
        }
    }

    /// Caps the requests in flight across all peers (each holds a chunk buffer in memory).
    pub fn with_capacity(mut self, capacity: usize) -> Planner<P> {
        self.capacity = capacity.max(1);
        self
    }

    /// Requests in flight across all peers.
    pub fn in_flight(&self) -> usize {
        self.peers.values().map(|p| p.in_flight.len()).sum()
    }

    /// Whether `chunk` is verified.
    pub fn is_done(&self, chunk: ChunkId) -> bool {
        self.done.contains(&chunk)
    }

    /// Marks chunks verified before this plan started (a resumed download).
    pub fn mark_done(&mut self, chunks: impl IntoIterator<Item = ChunkId>) {
        for chunk in chunks {
            if self.sizes.contains_key(&chunk) {
                self.done.insert(chunk);
            }
        }
        let done = &self.done;
        self.queue.retain(|c| !done.contains(c));
    }

    /// Chunks in total, and their bytes.
    pub fn total(&self) -> (usize, u64) {
        (self.sizes.len(), self.sizes.values().sum())
    }

    pub fn add_peer(&mut self, peer: P) {
        self.peers.entry(peer).or_insert(PeerState {
            rate: None,
            in_flight: BTreeMap::new(),
            last_arrival: None,
            strikes: 0,
        });
    }

    pub fn is_complete(&self) -> bool {
        self.done.len() == self.sizes.len()
    }

    /// Chunks verified so far, and their bytes.
    pub fn progress(&self) -> (usize, u64) {
        (self.done.len(), self.done.iter().map(|c| self.sizes[c]).sum())
    }

    pub fn peers(&self) -> impl Iterator<Item = &P> {
        self.peers.keys()
    }

    /// A peer's measured rate in bytes per second.
    pub fn rate(&self, peer: &P) -> Option<f64> {
        self.peers.get(peer).and_then(|p| p.rate)
    }

    /// Requests to send now: fills every peer's window from the queue, then, in the endgame,
    /// lets idle peers race slower ones for their last chunks.
    pub fn next_requests(&mut self, now: Duration) -> Vec<Assignment<P>> {
        let mut out = Vec::new();
        // Fastest peers first, so the queue's next chunks go where they finish soonest.
        let mut order: Vec<P> = self.peers.keys().cloned().collect();
        order.sort_by(|a, b| {
            let (ra, rb) = (self.peers[a].rate.unwrap_or(0.0), self.peers[b].rate.unwrap_or(0.0));
            rb.total_cmp(&ra).then_with(|| a.cmp(b))
        });
        let mut in_flight = self.in_flight();
        let mut progress = true;
        while progress && in_flight < self.capacity {
            progress = false;
            for peer in &order {
                if in_flight >= self.capacity {
                    break;
                }
                let state = &self.peers[peer];
                if state.in_flight.len() >= state.window(self.chunk_bytes) {
                    continue;
                }
                let Some(chunk) = self.take_for(peer, now) else { continue };
                self.assign(peer, chunk, now);
                out.push(Assignment { peer: peer.clone(), chunk });
                in_flight += 1;
                progress = true;
            }
        }
        out
    }

    /// The next chunk for `peer`: from the queue, or in the endgame one it would finish first.
    fn take_for(&mut self, peer: &P, now: Duration) -> Option<ChunkId> {
        // A chunk handed back may have arrived meanwhile from a slower copy.
        while let Some(chunk) = self.queue.pop_front() {
            if !self.done.contains(&chunk) {
                return Some(chunk);
            }
        }
        let mine = &self.peers[peer];
        let mut best: Option<(Duration, ChunkId)> = None;
        for (chunk, holders) in &self.holders {
            if holders.len() >= MAX_COPIES || holders.contains(peer) || self.done.contains(chunk) {
                continue;
            }
            let bytes = self.sizes[chunk];
            let Some(mine_done) = mine.finish_estimate(now, bytes) else { continue };
            // The holder's estimate; one never measured is assumed never to finish.
            let theirs = holders
                .iter()
                .filter_map(|h| {
                    let s = &self.peers[h];
                    s.finish_estimate(s.in_flight[chunk], bytes)
                })
                .min()
                .unwrap_or(Duration::MAX);
            let gain = theirs.saturating_sub(mine_done);
            if !gain.is_zero() && best.is_none_or(|(g, c)| gain > g || (gain == g && *chunk < c)) {
                best = Some((gain, *chunk));
            }
        }
        best.map(|(_, c)| c)
    }

    fn assign(&mut self, peer: &P, chunk: ChunkId, now: Duration) {
        if let Some(state) = self.peers.get_mut(peer) {
            state.in_flight.insert(chunk, now);
        }
        self.holders.entry(chunk).or_default().push(peer.clone());
    }

    fn release(&mut self, peer: &P, chunk: ChunkId) -> Option<Duration> {
        let started = self.peers.get_mut(peer)?.in_flight.remove(&chunk)?;
        if let Some(holders) = self.holders.get_mut(&chunk) {
            holders.retain(|h| h != peer);
            if holders.is_empty() {
                self.holders.remove(&chunk);
            }
        }
        Some(started)
    }

    /// Puts a chunk nobody fetches any more back at the front of the queue.
    fn requeue(&mut self, chunk: ChunkId) {
        if !self.done.contains(&chunk) && !self.holders.contains_key(&chunk) && !self.queue.contains(&chunk) {
            self.queue.push_front(chunk);
        }
    }

    /// `peer` delivered `chunk` and it matched its hash, at `now`.
    pub fn arrived(&mut self, peer: &P, chunk: ChunkId, now: Duration) -> Arrived<P> {
        let started = self.release(peer, chunk);
        if let (Some(started), Some(state)) = (started, self.peers.get_mut(peer)) {
            let from = state.last_arrival.map_or(started, |last| last.max(started));
            state.last_arrival = Some(now);
            let secs = now.saturating_sub(from).as_secs_f64().max(1e-6);
            let measured = self.sizes.get(&chunk).copied().unwrap_or(0) as f64 / secs;
            state.rate = Some(match state.rate {
                None => measured,
                Some(r) => r + RATE_WEIGHT * (measured - r),
            });
        }
        let is_first = self.done.insert(chunk);
        let cancel: Vec<Assignment<P>> = self
            .holders
            .get(&chunk)
            .map(|hs| hs.iter().map(|h| Assignment { peer: h.clone(), chunk }).collect())
            .unwrap_or_default();
        for a in &cancel {
            self.release(&a.peer, chunk);
        }
        Arrived { is_first, cancel }
    }

    /// `peer` sent a chunk that did not match its hash: hand it back, count a strike. Returns
    /// `Some` when the peer is dropped; its other chunks are handed back too.
    pub fn corrupt(&mut self, peer: &P, chunk: ChunkId) -> Option<Dropped> {
        self.release(peer, chunk);
        self.requeue(chunk);
        let state = self.peers.get_mut(peer)?;
        state.strikes += 1;
        if state.strikes < MAX_STRIKES {
            return None;
        }
        self.remove_peer(peer);
        Some(Dropped::Strikes)
    }

    /// A request failed without data (stream reset, timeout): hand the chunk back.
    pub fn failed(&mut self, peer: &P, chunk: ChunkId) {
        self.release(peer, chunk);
        self.requeue(chunk);
    }

    /// `peer` left (disconnected, or dropped): its chunks go back to the front of the queue.
    pub fn remove_peer(&mut self, peer: &P) {
        let Some(state) = self.peers.remove(peer) else { return };
        for chunk in state.in_flight.keys().rev() {
            if let Some(holders) = self.holders.get_mut(chunk) {
                holders.retain(|h| h != peer);
                if holders.is_empty() {
                    self.holders.remove(chunk);
                }
            }
            self.requeue(*chunk);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHUNK: u64 = 4 << 20;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn planner(n: u32) -> Planner<&'static str> {
        Planner::new((0..n).map(|c| ((0, c), CHUNK)), CHUNK)
    }

    fn chunks_of(out: &[Assignment<&'static str>], peer: &str) -> Vec<ChunkId> {
        out.iter().filter(|a| a.peer == peer).map(|a| a.chunk).collect()
    }

    /// Runs a download where each peer takes a fixed time per chunk, until done; returns how
    /// many chunks each peer delivered first.
    fn simulate(p: &mut Planner<&'static str>, per_chunk: &[(&'static str, u64)]) -> HashMap<&'static str, usize> {
        simulate_from(p, per_chunk, ms(0), Vec::new())
    }

    /// [`simulate`] from `now`, with `outstanding` requests already sent.
    fn simulate_from(
        p: &mut Planner<&'static str>,
        per_chunk: &[(&'static str, u64)],
        mut now: Duration,
        outstanding: Vec<Assignment<&'static str>>,
    ) -> HashMap<&'static str, usize> {
        let mut pending: Vec<(Duration, Assignment<&'static str>)> = Vec::new();
        let mut delivered: HashMap<&'static str, usize> = HashMap::new();
        let mut fresh = outstanding;
        for _ in 0..100_000 {
            fresh.extend(p.next_requests(now));
            for a in fresh.drain(..) {
                let cost = per_chunk.iter().find(|(n, _)| *n == a.peer).map(|(_, c)| *c).unwrap();
                // A peer works its requests one after another.
                let busy_until = pending.iter().filter(|(_, q)| q.peer == a.peer).map(|(t, _)| *t).max().unwrap_or(now);
                pending.push((busy_until.max(now) + ms(cost), a));
            }
            if p.is_complete() {
                return delivered;
            }
            pending.sort_by_key(|(t, _)| *t);
            let (t, a) = pending.remove(0);
            now = t;
            let arrived = p.arrived(&a.peer, a.chunk, now);
            if arrived.is_first {
                *delivered.entry(a.peer).or_default() += 1;
            }
            pending.retain(|(_, q)| !arrived.cancel.contains(q));
        }
        panic!("download did not finish");
    }

    #[test]
    fn several_requests_per_peer_from_the_start() {
        let mut p = planner(20);
        p.add_peer("a");
        p.add_peer("b");
        let out = p.next_requests(ms(0));
        assert_eq!(chunks_of(&out, "a").len(), MIN_WINDOW);
        assert_eq!(chunks_of(&out, "b").len(), MIN_WINDOW);
        // Nothing more until something finishes.
        assert!(p.next_requests(ms(1)).is_empty());
    }

    #[test]
    fn a_fast_peer_gets_a_deeper_window_and_more_chunks() {
        let mut p = planner(200);
        for peer in ["fast", "slow"] {
            p.add_peer(peer);
        }
        // fast: 4 ms a chunk (~1 GB/s); slow: 40 ms.
        let delivered = simulate(&mut p, &[("fast", 4), ("slow", 40)]);
        assert!(p.is_complete());
        assert!(delivered["fast"] > 5 * delivered["slow"], "{delivered:?}");
        assert!(p.rate(&"fast").unwrap() > 5.0 * p.rate(&"slow").unwrap());
        assert!(p.peers["fast"].window(CHUNK) > p.peers["slow"].window(CHUNK));
    }

    #[test]
    fn chunks_of_a_departed_peer_are_planned_again_first() {
        let mut p = planner(10);
        p.add_peer("a");
        p.add_peer("b");
        let first = p.next_requests(ms(0));
        let of_b = chunks_of(&first, "b");
        p.remove_peer(&"b");
        let again = p.next_requests(ms(1));
        // A's window is full; as A finishes, B's old chunks come before new ones.
        assert!(again.is_empty());
        let a_first = chunks_of(&first, "a")[0];
        p.arrived(&"a", a_first, ms(10));
        let next = p.next_requests(ms(10));
        assert_eq!(&chunks_of(&next, "a")[..of_b.len()], &of_b[..]);
        let mut outstanding: Vec<_> = first.into_iter().filter(|a| a.peer == "a" && a.chunk != a_first).collect();
        outstanding.extend(next);
        let delivered = simulate_from(&mut p, &[("a", 5)], ms(10), outstanding);
        assert!(p.is_complete(), "{delivered:?}");
    }

    #[test]
    fn three_strikes_drop_a_peer_and_its_chunks_go_elsewhere() {
        let mut p = planner(10);
        p.add_peer("bad");
        let mut dropped = None;
        let mut now = ms(0);
        while dropped.is_none() {
            let out = p.next_requests(now);
            now += ms(1);
            for chunk in chunks_of(&out, "bad") {
                if dropped.is_none() {
                    dropped = p.corrupt(&"bad", chunk);
                } else {
                    p.failed(&"bad", chunk);
                }
            }
        }
        assert_eq!(dropped, Some(Dropped::Strikes));
        assert!(!p.peers().any(|x| *x == "bad"));
        assert!(p.next_requests(now).is_empty(), "nobody left to ask");
        p.add_peer("good");
        simulate(&mut p, &[("good", 5)]);
        assert!(p.is_complete());
    }

    #[test]
    fn the_tail_is_not_held_up_by_a_slow_peer() {
        // One chunk left, held by a very slow peer; a fast peer races it and wins.
        let mut p = planner(12);
        p.add_peer("fast");
        p.add_peer("snail");
        let delivered = simulate(&mut p, &[("fast", 4), ("snail", 10_000)]);
        assert!(p.is_complete());
        // Without the endgame the snail's chunks would take 10 s; with it the fast peer
        // delivers every chunk (the snail's copies are cancelled when the fast ones land).
        assert_eq!(delivered.get("snail").copied().unwrap_or(0), 0, "{delivered:?}");
    }

    #[test]
    fn capacity_bounds_requests_across_peers_and_resumed_chunks_are_skipped() {
        let mut p = planner(40).with_capacity(3);
        p.mark_done([(0, 0), (0, 1)]);
        for peer in ["a", "b", "c"] {
            p.add_peer(peer);
        }
        let out = p.next_requests(ms(0));
        assert_eq!(out.len(), 3, "{out:?}");
        assert!(out.iter().all(|a| a.chunk.1 >= 2), "verified chunks are not fetched again: {out:?}");
        assert!(p.next_requests(ms(1)).is_empty());
        assert_eq!(p.in_flight(), 3);
        assert_eq!(p.progress(), (2, 2 * CHUNK));
        let delivered = simulate_from(&mut p, &[("a", 4), ("b", 4), ("c", 4)], ms(1), out);
        assert!(p.is_complete(), "{delivered:?}");
        assert_eq!(delivered.values().sum::<usize>(), 38);
    }

    #[test]
    fn a_duplicate_that_arrives_second_is_discarded() {
        let mut p = planner(1);
        p.add_peer("a");
        p.add_peer("b");
        // Measure both so the endgame can compare them.
        let out = p.next_requests(ms(0));
        assert_eq!(out.len(), 1);
        let holder = out[0].peer;
        let other = if holder == "a" { "b" } else { "a" };
        p.peers.get_mut(&other).unwrap().rate = Some(1e9);
        p.peers.get_mut(&holder).unwrap().rate = Some(1e3);
        let race = p.next_requests(ms(1));
        assert_eq!(race, vec![Assignment { peer: other, chunk: (0, 0) }]);
        let first = p.arrived(&other, (0, 0), ms(5));
        assert!(first.is_first);
        assert_eq!(first.cancel, vec![Assignment { peer: holder, chunk: (0, 0) }]);
        let late = p.arrived(&holder, (0, 0), ms(6));
        assert!(!late.is_first);
        assert!(p.is_complete());
        assert_eq!(p.progress(), (1, CHUNK));
    }
}
