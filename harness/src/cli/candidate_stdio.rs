//! `dlconform candidate-stdio NAME`: a built-in candidate as a protocol v1 process, NDJSON on
//! stdin and stdout, so it can be run as `--candidate 'cmd:dlconform candidate-stdio reference'`.

use std::collections::HashSet;

use clap::Args;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use super::exit;
use crate::candidate::{Incoming, builtin};
use crate::protocol::{EventKind, FromCandidate, ToCandidate};

/// Examples of `dlconform candidate-stdio`.
pub const EXAMPLES: &str = "\
Examples:
  # the reference, or a mutant, as a process candidate
  dlconform run --candidate 'cmd:dlconform candidate-stdio reference'
  dlconform run --candidate 'cmd:dlconform candidate-stdio mutant:timeout-ignored' --platform douyin
  # speak protocol v1 by hand
  echo '{\"type\":\"hello\",\"protocol\":1}' | dlconform candidate-stdio reference";

/// Arguments of `dlconform candidate-stdio`.
#[derive(Debug, Args)]
pub struct CandidateStdioArgs {
    /// The built-in candidate: `reference` or `mutant:<name>` (`dlconform candidates` lists them).
    pub name: String,
}

/// Serve until `shutdown`, or until stdin ends and the running calls have ended.
pub fn run(args: &CandidateStdioArgs) -> anyhow::Result<i32> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let code = runtime.block_on(serve(&args.name))?;
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    Ok(code)
}

async fn serve(name: &str) -> anyhow::Result<i32> {
    // Under the harness's Landlock the OS refuses writes outside; the reference leaves it that.
    if std::env::var(crate::candidate::sandbox::MODE_VAR).as_deref() == Ok("landlock") {
        crate::candidate::reference::sandbox::leave_writes_to_os_sandbox();
    }
    let started = match builtin::start(name) {
        Ok(started) => started,
        Err(err) => {
            eprintln!("dlconform candidate-stdio: {err}");
            return Ok(exit::CANNOT_RUN);
        }
    };
    // Dropping the guard stops the candidate: keep it to the end.
    let _guard = started.guard;
    let mut to_candidate = Some(started.tx);
    let mut from_candidate = started.rx;
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut stdout = tokio::io::stdout();
    let mut running: HashSet<String> = HashSet::new();
    let mut input_open = true;
    loop {
        // Stdin has ended and every call has ended: let the candidate stop.
        if !input_open && running.is_empty() {
            to_candidate = None;
        }
        tokio::select! {
            line = lines.next_line(), if input_open => match line {
                Ok(Some(line)) => {
                    let Some(message) = parse(&line) else { continue };
                    let shutdown = message == ToCandidate::Shutdown;
                    if let ToCandidate::Call(call) = &message {
                        running.insert(call.call.clone());
                    }
                    if let Some(tx) = &to_candidate {
                        if tx.send(message).await.is_err() {
                            break;
                        }
                    }
                    if shutdown {
                        input_open = false;
                        running.clear();
                    }
                }
                Ok(None) => input_open = false,
                Err(err) => {
                    eprintln!("dlconform candidate-stdio: cannot read stdin: {err}");
                    input_open = false;
                }
            },
            item = from_candidate.recv() => {
                let Some(stamped) = item else { break };
                match stamped.item {
                    Incoming::Message(message) => {
                        if let Some(call) = ended_call(&message) {
                            running.remove(call);
                        }
                        let mut line = serde_json::to_string(&message)?;
                        line.push('\n');
                        stdout.write_all(line.as_bytes()).await?;
                        stdout.flush().await?;
                    }
                    Incoming::Problem { line, error, .. } => {
                        eprintln!("dlconform candidate-stdio: candidate wrote '{line}': {error}");
                    }
                    Incoming::Closed(_) => break,
                }
            }
        }
    }
    Ok(exit::OK)
}

/// A line of input as a message; bad lines are reported on stderr and skipped.
fn parse(line: &str) -> Option<ToCandidate> {
    let trimmed = line.trim();
    if trimmed.is_empty() {
        return None;
    }
    match serde_json::from_str::<ToCandidate>(trimmed) {
        Ok(message) => Some(message),
        Err(err) => {
            eprintln!(
                "dlconform candidate-stdio: skipped a line that is not a message ({err}): {trimmed}"
            );
            None
        }
    }
}

/// The call a message ends, if it ends one.
fn ended_call(message: &FromCandidate) -> Option<&str> {
    match message {
        FromCandidate::Event {
            call,
            event: EventKind::Complete,
            ..
        }
        | FromCandidate::Unsupported { call, .. }
        | FromCandidate::Error { call, .. } => Some(call),
        _ => None,
    }
}
