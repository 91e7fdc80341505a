//! The app log: the last lines of a host's own tracing output, kept in memory for display.
//!
//! [`LogRing`] holds at most a fixed number of [`LogLine`]s and drops the oldest; [`RingLayer`]
//! is the `tracing-subscriber` layer that fills it. The desktop app installs the layer next to
//! its stderr output and shows the ring in its log view, so a player can copy what went wrong
//! without finding a terminal.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::Context;

/// Lines the desktop app keeps.
pub const APP_LOG_LINES: usize = 2000;

/// One log line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LogLine {
    pub unix_ms: u64,
    /// `ERROR`, `WARN`, `INFO`, `DEBUG` or `TRACE`.
    pub level: String,
    /// The module that logged it (`lanparty_core::net`).
    pub target: String,
    /// The message, then the other fields as `name=value`.
    pub message: String,
}

/// The last `capacity` lines, oldest first.
#[derive(Debug)]
pub struct LogRing {
    capacity: usize,
    lines: Mutex<VecDeque<LogLine>>,
}

impl LogRing {
    pub fn new(capacity: usize) -> LogRing {
        LogRing { capacity, lines: Mutex::new(VecDeque::with_capacity(capacity.min(1024))) }
    }

    /// Adds `line`, dropping the oldest when full.
    pub fn push(&self, line: LogLine) {
        if self.capacity == 0 {
            return;
        }
        let mut lines = self.lines.lock().unwrap_or_else(|p| p.into_inner());
        if lines.len() == self.capacity {
            lines.pop_front();
        }
        lines.push_back(line);
    }

    /// The lines kept, oldest first.
    pub fn lines(&self) -> Vec<LogLine> {
        self.lines.lock().unwrap_or_else(|p| p.into_inner()).iter().cloned().collect()
    }
}

/// A tracing layer that writes every event it sees into a [`LogRing`] (filter it with the
/// subscriber's usual filters).
#[derive(Clone, Debug)]
pub struct RingLayer {
    ring: Arc<LogRing>,
}

impl RingLayer {
    pub fn new(ring: Arc<LogRing>) -> RingLayer {
        RingLayer { ring }
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for RingLayer {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let meta = event.metadata();
        self.ring.push(LogLine {
            unix_ms: SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64),
            level: meta.level().to_string(),
            target: meta.target().to_owned(),
            message: fields.line(),
        });
    }
}

/// An event's message and other fields.
#[derive(Default)]
struct Fields {
    message: String,
    rest: String,
}

impl Fields {
    fn line(self) -> String {
        match (self.message.is_empty(), self.rest.is_empty()) {
            (_, true) => self.message,
            (true, false) => self.rest,
            (false, false) => format!("{} {}", self.message, self.rest),
        }
    }

    fn add(&mut self, field: &Field, value: std::fmt::Arguments<'_>) {
        if field.name() == "message" {
            let _ = self.message.write_fmt(value);
        } else {
            if !self.rest.is_empty() {
                self.rest.push(' ');
            }
            let _ = write!(self.rest, "{}={value}", field.name());
        }
    }
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.add(field, format_args!("{value}"));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.add(field, format_args!("{value:?}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt as _;

    fn line(n: u64) -> LogLine {
        LogLine { unix_ms: n, level: "INFO".into(), target: "t".into(), message: n.to_string() }
    }

    #[test]
    fn ring_keeps_the_last_lines_in_order() {
        // Sizes around the capacity: empty, one, full, one over, many over.
        let ring = LogRing::new(3);
        assert!(ring.lines().is_empty());
        ring.push(line(1));
        assert_eq!(ring.lines(), [line(1)]);
        ring.push(line(2));
        ring.push(line(3));
        assert_eq!(ring.lines(), [line(1), line(2), line(3)]);
        ring.push(line(4));
        assert_eq!(ring.lines(), [line(2), line(3), line(4)]);
        for n in 5..100 {
            ring.push(line(n));
        }
        assert_eq!(ring.lines(), [line(97), line(98), line(99)]);
        let none = LogRing::new(0);
        none.push(line(1));
        assert!(none.lines().is_empty());
    }

    #[test]
    fn layer_records_level_target_message_and_fields() {
        let ring = Arc::new(LogRing::new(10));
        let subscriber = tracing_subscriber::registry().with(RingLayer::new(ring.clone()));
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(target: "lanparty_core::net", peer = "ABCD", port = 47474, "peer left");
            tracing::info!("plain");
            tracing::error!(error = %"disk full", "");
        });
        let lines = ring.lines();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].level, "WARN");
        assert_eq!(lines[0].target, "lanparty_core::net");
        assert_eq!(lines[0].message, "peer left peer=ABCD port=47474");
        assert!(lines[0].unix_ms > 0);
        assert_eq!(lines[1].message, "plain");
        assert_eq!(lines[2].level, "ERROR");
        assert_eq!(lines[2].message, "error=disk full");
    }
}
