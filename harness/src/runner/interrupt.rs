//! An interrupt of a run (Ctrl-C or SIGTERM): the runner stops starting and awaiting cases,
//! stops the candidate and the server, and returns the cases finished so far.

use tokio::sync::watch;

/// The signal that interrupted a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Ctrl-C.
    Interrupt,
    /// `kill` / a supervisor stopping the run.
    Terminate,
}

impl Signal {
    /// Its name, as results.json records it.
    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }

    /// The exit code of a run it ended: 128 + the signal number.
    pub fn exit_code(self) -> i32 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }
}

/// Raises an interrupt; the runner holds the matching [`Interrupt`].
#[derive(Debug)]
pub struct Trigger(watch::Sender<Option<Signal>>);

impl Trigger {
    /// Interrupt the run (the first signal wins).
    pub fn raise(&self, signal: Signal) {
        self.0.send_if_modified(|current| {
            if current.is_none() {
                *current = Some(signal);
                true
            } else {
                false
            }
        });
    }
}

/// Whether, and by which signal, a run was interrupted.
#[derive(Debug, Clone)]
pub struct Interrupt(watch::Receiver<Option<Signal>>);

impl Interrupt {
    /// A pair: raise on the [`Trigger`], watch on the [`Interrupt`].
    pub fn new() -> (Trigger, Interrupt) {
        let (tx, rx) = watch::channel(None);
        (Trigger(tx), Interrupt(rx))
    }

    /// One that never fires.
    pub fn never() -> Interrupt {
        // With its trigger gone, `raised` waits forever.
        Interrupt::new().1
    }

    /// The signal, if one came.
    pub fn signal(&self) -> Option<Signal> {
        *self.0.borrow()
    }

    /// Wait until a signal comes (forever if the trigger is gone without one).
    pub async fn raised(&self) -> Signal {
        let mut rx = self.0.clone();
        loop {
            if let Some(signal) = *rx.borrow_and_update() {
                return signal;
            }
            if rx.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}

/// Listen for SIGINT and SIGTERM: the first raises `trigger`; a second ends the process at
/// once after `on_second` (which should end the candidates), with the first signal's code.
pub fn listen(trigger: Trigger, on_second: fn()) -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut int = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    tokio::spawn(async move {
        let mut first: Option<Signal> = None;
        loop {
            let got = tokio::select! {
                _ = int.recv() => Signal::Interrupt,
                _ = term.recv() => Signal::Terminate,
            };
            match first {
                None => {
                    first = Some(got);
                    eprintln!(
                        "\ndlconform run: {} received: stopping (again to exit at once)",
                        got.name()
                    );
                    trigger.raise(got);
                }
                Some(signal) => {
                    on_second();
                    std::process::exit(signal.exit_code());
                }
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_first_signal_wins_and_is_seen() {
        let (trigger, interrupt) = Interrupt::new();
        assert_eq!(interrupt.signal(), None);
        trigger.raise(Signal::Terminate);
        trigger.raise(Signal::Interrupt);
        assert_eq!(interrupt.raised().await, Signal::Terminate);
        assert_eq!(interrupt.signal().map(Signal::exit_code), Some(143));
    }
}
