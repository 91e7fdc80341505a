//! The upload limit: a shared clock of when the next byte may leave.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Smallest block sent under a limit: smaller ones cost more in per-write overhead than they
/// save in waiting.
const MIN_BLOCK: usize = 16 * 1024;

/// Paces all uploads together to a rate. Each block reserves the next slot of the shared
/// clock and waits for it, so concurrent uploads share the rate in turn. The rate can change
/// while uploads run (the desktop app's setting); 0 means no limit.
#[derive(Debug)]
pub(crate) struct RateLimit {
    bytes_per_s: AtomicU64,
    next: Mutex<Instant>,
}

impl RateLimit {
    pub fn new(bytes_per_s: u64) -> RateLimit {
        RateLimit { bytes_per_s: AtomicU64::new(bytes_per_s), next: Mutex::new(Instant::now()) }
    }

    /// How many bytes one block should carry, at most `max`: an eighth of a second's worth at
    /// the limit (at least [`MIN_BLOCK`]). Blocks of all uploads take turns, so with every
    /// upload slot busy a stream waits `slots × block / rate` between its blocks; small blocks
    /// keep that well under a downloader's stall timeout even at a low limit.
    pub fn block_size(&self, max: usize) -> usize {
        match self.bytes_per_s.load(Ordering::Relaxed) {
            0 => max,
            rate => usize::try_from(rate / 8).unwrap_or(max).clamp(MIN_BLOCK.min(max), max),
        }
    }

    /// Sets the rate for the blocks that reserve from now on; 0 for no limit.
    pub fn set_rate(&self, bytes_per_s: u64) {
        self.bytes_per_s.store(bytes_per_s, Ordering::Relaxed);
    }

    /// How long to wait before sending `bytes` at `now`, and how long their slot lasts;
    /// reserves the slot. Without a limit, nothing waits.
    fn reserve(&self, bytes: usize, now: Instant) -> (Duration, Duration) {
        let rate = self.bytes_per_s.load(Ordering::Relaxed);
        if rate == 0 {
            return (Duration::ZERO, Duration::ZERO);
        }
        let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
        let start = (*next).max(now);
        let slot = Duration::from_secs_f64(bytes as f64 / rate as f64);
        *next = start + slot;
        (start - now, slot)
    }

    /// Gives back a slot whose bytes will not be sent, so later blocks do not wait for them.
    fn refund(&self, slot: Duration, now: Instant) {
        let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
        *next = next.checked_sub(slot).unwrap_or(now).max(now);
    }

    /// Waits for the turn of `bytes`. Dropped before the turn comes (the upload was aborted),
    /// it refunds the slot.
    pub async fn take(&self, bytes: usize) {
        let (wait, slot) = self.reserve(bytes, Instant::now());
        if wait.is_zero() {
            return;
        }
        let mut refund = Refund { limit: self, slot: Some(slot) };
        tokio::time::sleep(wait).await;
        refund.slot = None;
    }
}

/// Refunds a reserved slot unless disarmed.
struct Refund<'a> {
    limit: &'a RateLimit,
    slot: Option<Duration>,
}

impl Drop for Refund<'_> {
    fn drop(&mut self) {
        if let Some(slot) = self.slot {
            self.limit.refund(slot, Instant::now());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_take_turns_at_the_rate() {
        let limit = RateLimit::new(1000);
        let t0 = Instant::now();
        assert_eq!(limit.reserve(500, t0).0, Duration::ZERO);
        assert_eq!(limit.reserve(500, t0).0, Duration::from_millis(500));
        assert_eq!(limit.reserve(1000, t0).0, Duration::from_secs(1));
        // Idle time is not saved up into a burst.
        let later = t0 + Duration::from_secs(10);
        assert_eq!(limit.reserve(100, later).0, Duration::ZERO);
    }

    #[test]
    fn blocks_shrink_with_the_limit() {
        let max = 256 * 1024;
        assert_eq!(RateLimit::new(0).block_size(max), max);
        assert_eq!(RateLimit::new(100 << 20).block_size(max), max);
        assert_eq!(RateLimit::new(1 << 20).block_size(max), 128 * 1024);
        assert_eq!(RateLimit::new(10_000).block_size(max), MIN_BLOCK);
        assert_eq!(RateLimit::new(10_000).block_size(1000), 1000);
    }

    #[test]
    fn an_aborted_block_gives_its_slot_back() {
        let limit = RateLimit::new(1000);
        let t0 = Instant::now();
        limit.reserve(1000, t0);
        let (wait, slot) = limit.reserve(1000, t0);
        assert_eq!(wait, Duration::from_secs(1));
        limit.refund(slot, t0);
        assert_eq!(limit.reserve(10, t0).0, Duration::from_secs(1), "the next block waits only for the first");
        // A refund never moves the clock before now.
        limit.refund(Duration::from_secs(100), t0);
        assert_eq!(limit.reserve(10, t0).0, Duration::ZERO);
    }

    #[test]
    fn the_rate_changes_for_later_blocks_and_zero_is_no_limit() {
        let limit = RateLimit::new(0);
        let t0 = Instant::now();
        assert_eq!(limit.reserve(1 << 30, t0), (Duration::ZERO, Duration::ZERO));
        limit.set_rate(1000);
        assert_eq!(limit.reserve(1000, t0).0, Duration::ZERO);
        assert_eq!(limit.reserve(1000, t0).0, Duration::from_secs(1));
        limit.set_rate(2000);
        // The reserved second stays; the next block's slot is half as long.
        assert_eq!(limit.reserve(2000, t0), (Duration::from_secs(2), Duration::from_secs(1)));
        limit.set_rate(0);
        assert_eq!(limit.reserve(1000, t0).0, Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn dropping_a_wait_refunds_it() {
        let limit = RateLimit::new(1000);
        limit.take(1000).await;
        let waiting = tokio::time::timeout(Duration::from_millis(10), limit.take(5000)).await;
        assert!(waiting.is_err());
        let (wait, _) = limit.reserve(10, Instant::now());
        assert!(wait <= Duration::from_secs(1), "{wait:?}");
    }
}
