//! Speed over a sliding window, and the time left: pure, with the time passed in.

use std::collections::VecDeque;
use std::time::Duration;

/// The window speeds are measured over.
pub const WINDOW: Duration = Duration::from_secs(5);

/// How long bytes are counted before a speed is good enough to promise a time left: the first
/// chunks' arrival says little about the rate that follows.
pub const SETTLE: Duration = Duration::from_secs(2);

/// Bytes counted over the last [`WINDOW`].
#[derive(Debug, Default, Clone)]
pub struct RateMeter {
    samples: VecDeque<(Duration, u64)>,
    in_window: u64,
    /// When counting started, so a young download is not averaged over a window it has not had.
    started: Option<Duration>,
}

impl RateMeter {
    pub fn add(&mut self, now: Duration, bytes: u64) {
        self.started.get_or_insert(now);
        self.samples.push_back((now, bytes));
        self.in_window += bytes;
        self.expire(now);
    }

    fn expire(&mut self, now: Duration) {
        while let Some(&(t, b)) = self.samples.front() {
            if now.saturating_sub(t) <= WINDOW {
                break;
            }
            self.samples.pop_front();
            self.in_window -= b;
        }
    }

    /// Bytes per second over the window (or since counting started, if that is shorter).
    pub fn rate(&mut self, now: Duration) -> f64 {
        self.expire(now);
        let Some(started) = self.started else { return 0.0 };
        let span = now.saturating_sub(started).min(WINDOW).max(Duration::from_millis(250));
        self.in_window as f64 / span.as_secs_f64()
    }

    /// Seconds until `left` bytes are done at the current rate: `None` until bytes have been
    /// counted for [`SETTLE`], or while nothing arrives (see [`eta`]).
    pub fn eta(&mut self, now: Duration, left: u64) -> Option<f64> {
        let rate = self.rate(now);
        let settled = self.started.is_some_and(|started| now.saturating_sub(started) >= SETTLE);
        if left > 0 && !settled { None } else { eta(left, rate) }
    }
}

/// Seconds until `left` bytes are done at `rate`; `None` while the rate is unknown.
pub fn eta(left: u64, rate: f64) -> Option<f64> {
    if left == 0 {
        return Some(0.0);
    }
    (rate >= 1.0).then(|| (left as f64 / rate * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(n: f64) -> Duration {
        Duration::from_secs_f64(n)
    }

    #[test]
    fn rate_is_over_the_window_then_decays() {
        let mut m = RateMeter::default();
        assert_eq!(m.rate(s(0.0)), 0.0);
        for i in 0..20 {
            m.add(s(i as f64 * 0.5), 50);
        }
        // 100 bytes a second, measured over the last 5 s.
        let r = m.rate(s(9.5));
        assert!((r - 110.0).abs() < 0.1, "{r}");
        // Nothing for 6 s: nothing in the window.
        assert_eq!(m.rate(s(16.0)), 0.0);
    }

    #[test]
    fn a_young_download_is_not_diluted_and_eta_follows() {
        let mut m = RateMeter::default();
        m.add(s(10.0), 0);
        m.add(s(11.0), 1000);
        assert_eq!(m.rate(s(11.0)), 1000.0);
        assert_eq!(eta(5000, 1000.0), Some(5.0));
        assert_eq!(eta(0, 0.0), Some(0.0));
        assert_eq!(eta(10, 0.0), None);
    }

    #[test]
    fn no_time_left_is_promised_before_the_rate_settles() {
        let mut m = RateMeter::default();
        assert_eq!(m.eta(s(0.0), 100), None, "nothing counted");
        m.add(s(1.0), 1000);
        assert_eq!(m.eta(s(1.3), 100_000), None, "one chunk after 0.3 s says little");
        assert_eq!(m.eta(s(1.3), 0), Some(0.0), "done is done");
        m.add(s(2.5), 1000);
        m.add(s(3.0), 1000);
        assert_eq!(m.eta(s(3.0), 1500), Some(1.0), "3000 bytes in the 2 s since the first: 1500 B/s");
    }
}
