//! Process candidates: `sh -c <command line>`, NDJSON over stdin/stdout, stderr kept in a ring.

use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, oneshot};

use super::lines::{BoundedLines, Line};
use super::sandbox::Confinement;
use super::{
    CHANNEL_CAPACITY, Incoming, LogRing, Stamped, StartError, Started, parse_bytes, too_long,
};
use crate::protocol::ToCandidate;

/// How long to wait for the exit status once stdout has closed.
const EXIT_STATUS_WAIT: Duration = Duration::from_secs(2);
/// How long to keep reading once the process exited: what it wrote before is taken, but a
/// child still holding its stdout does not keep the cases waiting.
const DRAIN_AFTER_EXIT: Duration = Duration::from_millis(200);

/// Spawn `sh -c <command>` in its own process group, held to `confinement` when given, and
/// wire it up; no line over `max_line` bytes is kept.
pub fn start(
    command: &str,
    max_line: usize,
    confinement: Option<&Confinement>,
) -> Result<Started, StartError> {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    // Own process group, so the shell and everything it starts can be killed together.
    cmd.process_group(0);
    if let Some(confinement) = confinement {
        confinement
            .apply(&mut cmd)
            .map_err(StartError::WouldNotStart)?;
    }
    let mut child = cmd
        .spawn()
        .map_err(|err| StartError::WouldNotStart(format!("cannot run 'sh -c {command}': {err}")))?;
    let pid = child.id();
    let (Some(stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err(StartError::WouldNotStart(
            "the process has no stdin/stdout/stderr pipes".into(),
        ));
    };

    let log = Arc::new(LogRing::new());
    let (to_tx, to_rx) = mpsc::channel::<ToCandidate>(CHANNEL_CAPACITY);
    let (from_tx, from_rx) = mpsc::channel::<Stamped>(CHANNEL_CAPACITY);
    let (kill_tx, kill_rx) = oneshot::channel::<()>();
    let (status_tx, status_rx) = oneshot::channel::<String>();

    tokio::spawn(write_messages(stdin, to_rx));
    tokio::spawn(copy_stderr(stderr, Arc::clone(&log)));
    tokio::spawn(wait_for_exit(child, kill_rx, status_tx));
    tokio::spawn(read_messages(stdout, from_tx, status_rx, max_line));

    Ok(Started {
        tx: to_tx,
        rx: from_rx,
        log: Some(log),
        guard: Box::new(ProcessGuard {
            kill: Some(kill_tx),
            pgid: pid,
        }),
    })
}

/// Kills the process group when dropped.
struct ProcessGuard {
    kill: Option<oneshot::Sender<()>>,
    pgid: Option<u32>,
}

impl Drop for ProcessGuard {
    fn drop(&mut self) {
        if let Some(kill) = self.kill.take() {
            let _ = kill.send(());
        }
        if let Some(pgid) = self.pgid {
            // Children of the shell are not killed with it; signal the whole group.
            super::reaper::kill_group(pgid);
        }
    }
}

async fn write_messages(
    mut stdin: tokio::process::ChildStdin,
    mut rx: mpsc::Receiver<ToCandidate>,
) {
    while let Some(message) = rx.recv().await {
        let Ok(mut line) = serde_json::to_vec(&message) else {
            continue;
        };
        line.push(b'\n');
        if stdin.write_all(&line).await.is_err() || stdin.flush().await.is_err() {
            break;
        }
    }
    // Dropping stdin is the candidate's EOF.
}

async fn copy_stderr(mut stderr: tokio::process::ChildStderr, log: Arc<LogRing>) {
    let mut buf = vec![0u8; 8192];
    loop {
        match stderr.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => log.push(&buf[..n]),
        }
    }
}

async fn wait_for_exit(
    mut child: Child,
    kill: oneshot::Receiver<()>,
    status: oneshot::Sender<String>,
) {
    let description = tokio::select! {
        result = child.wait() => match result {
            Ok(s) => describe_exit(s),
            Err(err) => format!("cannot wait for it: {err}"),
        },
        _ = kill => {
            // Not reaped yet, so its pid is still its own: end the tree below it (children
            // that left its group with setsid) before it.
            if let Some(pid) = child.id() {
                super::reaper::kill_tree(pid);
            }
            let _ = child.kill().await;
            "killed by the harness".to_string()
        }
    };
    let _ = status.send(description);
}

fn describe_exit(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with code {code}"),
        (None, Some(signal)) => format!("killed by signal {signal}"),
        (None, None) => "exited".to_string(),
    }
}

async fn read_messages(
    stdout: tokio::process::ChildStdout,
    tx: mpsc::Sender<Stamped>,
    mut status: oneshot::Receiver<String>,
    max_line: usize,
) {
    let mut lines = BoundedLines::new(BufReader::new(stdout), max_line);
    // Set once the process exited: read on only until the drain deadline.
    let mut exited: Option<(String, tokio::time::Instant)> = None;
    let reason = loop {
        let next = match &exited {
            None => tokio::select! {
                next = lines.next() => next,
                exit = &mut status => {
                    let exit = exit.unwrap_or_else(|_| "exited".to_string());
                    exited = Some((exit, tokio::time::Instant::now() + DRAIN_AFTER_EXIT));
                    continue;
                }
            },
            Some((_, deadline)) => match tokio::time::timeout_at(*deadline, lines.next()).await {
                Ok(next) => next,
                Err(_) => break None,
            },
        };
        match next {
            Ok(Some(line)) => {
                let at = Instant::now();
                let item = match line {
                    Line::Whole(bytes) => parse_bytes(&bytes),
                    Line::TooLong { head, length } => Some(too_long(&head, length, max_line)),
                };
                if let Some(item) = item {
                    if tx.send(Stamped { at, item }).await.is_err() {
                        return;
                    }
                }
            }
            Ok(None) => break None,
            Err(err) => break Some(format!("unreadable output: {err}")),
        }
    };
    let exit = match exited {
        Some((exit, _)) => exit,
        None => tokio::time::timeout(EXIT_STATUS_WAIT, status)
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_else(|| "closed its output".to_string()),
    };
    let reason = match reason {
        Some(r) => format!("{r}; {exit}"),
        None => exit,
    };
    let _ = tx
        .send(Stamped {
            at: Instant::now(),
            item: Incoming::Closed(format!("candidate {reason}")),
        })
        .await;
}
