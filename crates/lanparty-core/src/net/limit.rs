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

    /// How long to wait before sending `bytes` at `now`; reserves their slot.
    fn reserve(&self, bytes: usize, now: Instant) -> Duration {
        let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
        let start = (*next).max(now);
        *next = start + Duration::from_secs_f64(bytes as f64 / self.bytes_per_s);
        start - now
    }

    pub async fn take(&self, bytes: usize) {
        let wait = self.reserve(bytes, Instant::now());
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
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
        assert_eq!(limit.reserve(500, t0), Duration::ZERO);
        assert_eq!(limit.reserve(500, t0), Duration::from_millis(500));
        assert_eq!(limit.reserve(1000, t0), Duration::from_secs(1));
        // Idle time is not saved up into a burst.
        let later = t0 + Duration::from_secs(10);
        assert_eq!(limit.reserve(100, later), Duration::ZERO);
    }
}
