//! Running a manifest's `install` command in its folder, with its output in a log file and a
//! time limit, so one candidate that cannot install costs only its own column.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::manifest::Manifest;

/// What installing a candidate came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Installed {
    /// `--no-install`.
    Skipped,
    /// Not tried: the candidate has nothing selected to run.
    NotTried,
    /// The manifest has no `install`.
    NothingToInstall,
    /// It exited 0.
    Done {
        /// Seconds it took.
        seconds: f64,
        /// Its output.
        log: PathBuf,
    },
    /// It could not run, exited non-zero or ran out of time.
    Failed {
        /// Why, in one line.
        message: String,
        /// Its output, when it ran.
        log: Option<PathBuf>,
    },
}

impl Installed {
    /// Whether the candidate can be run after it.
    pub fn ok(&self) -> bool {
        !matches!(self, Installed::Failed { .. })
    }

    /// One line for the summary.
    pub fn describe(&self) -> String {
        match self {
            Installed::Skipped => "skipped (--no-install)".to_string(),
            Installed::NotTried => "-".to_string(),
            Installed::NothingToInstall => "nothing to install".to_string(),
            Installed::Done { seconds, .. } => format!("ok ({seconds:.1} s)"),
            Installed::Failed { message, log } => match log {
                Some(log) => format!("FAILED: {message} (log: {})", log.display()),
                None => format!("FAILED: {message}"),
            },
        }
    }
}

/// Run `sh -c <install>` in the manifest's folder, its stdout and stderr into
/// `<log_dir>/<name>.log`; past `limit`, or once `stop` says so (Ctrl-C: the command is in its
/// own process group, out of reach of the terminal's signal), its whole process group is killed.
pub fn install(
    manifest: &Manifest,
    log_dir: &Path,
    limit: Duration,
    stop: &dyn Fn() -> bool,
) -> Installed {
    let Some(command) = &manifest.install else {
        return Installed::NothingToInstall;
    };
    let log = log_dir.join(format!("{}.log", manifest.name));
    let failed = |message: String, log: Option<PathBuf>| Installed::Failed { message, log };
    if let Err(err) = std::fs::create_dir_all(log_dir) {
        return failed(format!("cannot create {}: {err}", log_dir.display()), None);
    }
    let (out, err) = match std::fs::File::create(&log).and_then(|f| Ok((f.try_clone()?, f))) {
        Ok(files) => files,
        Err(err) => return failed(format!("cannot write {}: {err}", log.display()), None),
    };
    let started = Instant::now();
    let spawned = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(&manifest.dir)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        // Its own process group, so that a timeout ends npm and whatever it started too.
        .process_group(0)
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(err) => return failed(format!("cannot start `sh -c {command}`: {err}"), None),
    };
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => {
                return Installed::Done {
                    seconds: started.elapsed().as_secs_f64(),
                    log,
                };
            }
            Ok(Some(status)) => {
                return failed(format!("`{command}` exited with {status}"), Some(log));
            }
            Ok(None) if stop() => {
                end_group(child.id());
                let _ = child.wait();
                return failed(format!("`{command}` interrupted"), Some(log));
            }
            Ok(None) if started.elapsed() > limit => {
                end_group(child.id());
                let _ = child.wait();
                return failed(
                    format!("`{command}` took longer than {} s", limit.as_secs()),
                    Some(log),
                );
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(err) => return failed(format!("cannot wait for `{command}`: {err}"), Some(log)),
        }
    }
}

/// SIGKILL to the process group the install command leads.
fn end_group(pid: u32) {
    let Ok(pid) = i32::try_from(pid) else {
        return;
    };
    // SAFETY: kill(2) with a negative pid signals the process group this command leads; it
    // touches no memory of this process.
    unsafe {
        libc::kill(-pid, libc::SIGKILL);
    }
}
