//! Stand-in for the reference candidate until it is built: answers every call `unsupported`.

use tokio::sync::mpsc;

use crate::protocol::{CandidateHello, FromCandidate, PROTOCOL_VERSION, ToCandidate};

/// The stand-in.
pub struct Reference;

impl Reference {
    /// A new stand-in.
    pub fn new() -> Self {
        Reference
    }

    /// Serve protocol v1 until the input closes or `shutdown` arrives.
    pub async fn serve(self, mut rx: mpsc::Receiver<ToCandidate>, tx: mpsc::Sender<FromCandidate>) {
        while let Some(message) = rx.recv().await {
            let answer = match message {
                ToCandidate::Hello { .. } => FromCandidate::Hello(CandidateHello {
                    protocol: PROTOCOL_VERSION,
                    name: "reference".into(),
                    version: env!("CARGO_PKG_VERSION").into(),
                    platforms: Vec::new(),
                    apis: Vec::new(),
                }),
                ToCandidate::Call(call) => FromCandidate::Unsupported {
                    call: call.call,
                    reason: "reference candidate not built yet".into(),
                },
                ToCandidate::Shutdown => return,
                ToCandidate::Abort { .. } | ToCandidate::Inject { .. } => continue,
            };
            if tx.send(answer).await.is_err() {
                return;
            }
        }
    }
}
