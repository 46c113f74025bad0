//! Process candidates: `sh -c <command line>`, NDJSON over stdin/stdout, stderr kept in a ring.

use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, oneshot};

use super::{CHANNEL_CAPACITY, Incoming, LogRing, Stamped, StartError, Started, parse_line};
use crate::protocol::ToCandidate;

/// How long to wait for the exit status once stdout has closed.
const EXIT_STATUS_WAIT: Duration = Duration::from_secs(2);

/// Spawn `sh -c <command>` in its own process group and wire it up.
pub fn start(command: &str) -> Result<Started, StartError> {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    // Own process group, so the shell and everything it starts can be killed together.
    cmd.process_group(0);
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
    tokio::spawn(read_messages(stdout, from_tx, status_rx));

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
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pgid}")])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
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
    status: oneshot::Receiver<String>,
) {
    let mut lines = BufReader::new(stdout).lines();
    let reason = loop {
        match lines.next_line().await {
            Ok(Some(line)) => {
                let at = Instant::now();
                if let Some(item) = parse_line(&line) {
                    if tx.send(Stamped { at, item }).await.is_err() {
                        return;
                    }
                }
            }
            Ok(None) => break None,
            Err(err) => break Some(format!("unreadable output: {err}")),
        }
    };
    let exit = tokio::time::timeout(EXIT_STATUS_WAIT, status)
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_else(|| "closed its output".to_string());
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
