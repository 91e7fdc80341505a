//! The upload limit: a shared clock of when the next byte may leave.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Paces all uploads together to a rate. Each block reserves the next slot of the shared
/// clock and waits for it, so concurrent uploads share the rate in turn.
#[derive(Debug)]
pub(crate) struct RateLimit {
    bytes_per_s: f64,
    next: Mutex<Instant>,
}

impl RateLimit {
    pub fn new(bytes_per_s: u64) -> RateLimit {
        RateLimit { bytes_per_s: bytes_per_s as f64, next: Mutex::new(Instant::now()) }
    }

    /// How long to wait before sending `bytes` at `now`, and how long their slot lasts;
    /// reserves the slot.
    fn reserve(&self, bytes: usize, now: Instant) -> (Duration, Duration) {
        let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
        let start = (*next).max(now);
        let slot = Duration::from_secs_f64(bytes as f64 / self.bytes_per_s);
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
