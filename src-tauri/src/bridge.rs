//! The event bridge: every runtime [`Event`] goes to the frontend as a `runtime-event`.
//!
//! One bridge runs per runtime. It forwards events from the receiver the runtime handed out at
//! start (so it sees the first scan's events too) until the host stops it, then forwards what is
//! still queued (the events of the shutdown itself) and ends. A frontend that falls more than the
//! runtime's buffer behind gets an `events-lagged` event instead of what it missed, and reloads
//! what it shows.

use lanparty_core::Event;
use serde::Serialize;
use tauri::AppHandle;
use tauri::async_runtime::JoinHandle;
use tauri_specta::Event as _;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::{broadcast, oneshot};

/// A runtime event as the frontend receives it: event name `runtime-event`, payload the
/// [`Event`] itself (`{ "type": "download-progress", ... }`).
#[derive(Clone, Debug, Serialize, specta::Type)]
pub struct RuntimeEventPayload(pub Event);

impl tauri_specta::Event for RuntimeEventPayload {
    const NAME: &'static str = "runtime-event";
}

/// Sent as `events-lagged` when the window fell behind and `dropped` runtime events were lost:
/// what it shows may be out of date, so it reloads the library and the running operations.
#[derive(Clone, Debug, Serialize, specta::Type, tauri_specta::Event)]
pub struct EventsLagged {
    pub dropped: u64,
}

/// A running bridge.
#[derive(Debug)]
pub struct Bridge {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Bridge {
    /// Forwards `events` to the frontend of `app` until [`Bridge::stop`].
    pub fn start(app: AppHandle, mut events: broadcast::Receiver<Event>) -> Bridge {
        let (stop, mut stopped) = oneshot::channel::<()>();
        let task = tauri::async_runtime::spawn(async move {
            loop {
                tokio::select! {
                    // Events first: what the runtime said before the stop still goes out.
                    biased;
                    event = events.recv() => match event {
                        Ok(event) => forward(&app, event),
                        Err(RecvError::Lagged(n)) => lagged(&app, n),
                        Err(RecvError::Closed) => return,
                    },
                    _ = &mut stopped => break,
                }
            }
            loop {
                match events.try_recv() {
                    Ok(event) => forward(&app, event),
                    Err(TryRecvError::Lagged(n)) => lagged(&app, n),
                    Err(TryRecvError::Empty | TryRecvError::Closed) => return,
                }
            }
        });
        Bridge { stop, task }
    }

    /// Forwards what is queued, then ends the bridge and waits for it.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        if let Err(e) = self.task.await {
            tracing::warn!(error = %e, "the event bridge ended abnormally");
        }
    }
}

fn forward(app: &AppHandle, event: Event) {
    let payload = RuntimeEventPayload(event);
    match payload.emit(app) {
        Ok(()) => tracing::trace!(event = ?payload.0, "runtime event sent to the window"),
        Err(e) => tracing::warn!(error = %e, "cannot send a runtime event to the window"),
    }
}

fn lagged(app: &AppHandle, dropped: u64) {
    tracing::warn!(dropped, "the window fell behind the runtime's events");
    if let Err(e) = (EventsLagged { dropped }).emit(app) {
        tracing::warn!(error = %e, "cannot tell the window that it missed events");
    }
}
