//! Built-in candidates, run on a tokio task over channels: no process, same protocol.

use std::time::Instant;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{CHANNEL_CAPACITY, Incoming, Stamped, StartError, Started};
use crate::protocol::{FromCandidate, ToCandidate};

/// Names `--candidate` accepts for built-in candidates, besides `mutant:<name>`.
pub const NAMES: &[&str] = &["reference"];

/// Start the built-in candidate `name` (`reference` or `mutant:<name>`).
pub fn start(name: &str) -> Result<Started, StartError> {
    if let Some(mutant) = name.strip_prefix("mutant:") {
        let Some(mutant) = super::mutants::find(mutant) else {
            return Err(StartError::Unknown(format!(
                "'{name}'; mutants: {}",
                super::mutants::names()
            )));
        };
        let defect = mutant.defect;
        return Ok(spawn(move |rx, tx| async move {
            super::reference::Reference::with_defect(defect)
                .serve(rx, tx)
                .await;
        }));
    }
    match name {
        "reference" => Ok(spawn(|rx, tx| async move {
            super::reference::Reference::new().serve(rx, tx).await;
        })),
        other => Err(StartError::Unknown(format!(
            "'{other}'; built-in candidates: {}",
            NAMES.join(", ")
        ))),
    }
}

/// Run `serve` on a task and adapt its channels to stamped items.
pub fn spawn<F, Fut>(serve: F) -> Started
where
    F: FnOnce(mpsc::Receiver<ToCandidate>, mpsc::Sender<FromCandidate>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (to_tx, to_rx) = mpsc::channel::<ToCandidate>(CHANNEL_CAPACITY);
    let (from_tx, mut from_rx) = mpsc::channel::<FromCandidate>(CHANNEL_CAPACITY);
    let (stamped_tx, stamped_rx) = mpsc::channel::<Stamped>(CHANNEL_CAPACITY);
    let task = tokio::spawn(serve(to_rx, from_tx));
    let abort = task.abort_handle();
    tokio::spawn(async move {
        while let Some(message) = from_rx.recv().await {
            let stamped = Stamped {
                at: Instant::now(),
                item: Incoming::Message(message),
            };
            if stamped_tx.send(stamped).await.is_err() {
                return;
            }
        }
        let reason = ended(task).await;
        let _ = stamped_tx
            .send(Stamped {
                at: Instant::now(),
                item: Incoming::Closed(reason),
            })
            .await;
    });
    Started {
        tx: to_tx,
        rx: stamped_rx,
        log: None,
        guard: Box::new(TaskGuard(abort)),
    }
}

async fn ended(task: JoinHandle<()>) -> String {
    match task.await {
        Ok(()) => "built-in candidate stopped".to_string(),
        Err(err) if err.is_panic() => {
            let payload = err.into_panic();
            let text = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".to_string());
            format!("built-in candidate panicked: {text}")
        }
        Err(_) => "built-in candidate was cancelled".to_string(),
    }
}

/// Aborts the candidate's task when dropped.
struct TaskGuard(tokio::task::AbortHandle);

impl Drop for TaskGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}
