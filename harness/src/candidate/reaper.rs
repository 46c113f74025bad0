//! Ending every process a candidate started, however it left: its process group, the tree
//! below it in /proc, and, where the harness is a child subreaper, the orphans that called
//! `setsid` and whose parent died (Linux reparents them to the harness instead of init).
//!
//! A subreaper, not a cgroup: it needs no privileges or mounted cgroup tree, and it is
//! process-wide, so only the `dlconform` binary turns it on and ends all its descendants at
//! the end of a run; a library user (a test process running many runs) gets the per-candidate
//! group and tree kill only.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Make this process the subreaper of its descendants (Linux; elsewhere a no-op).
pub fn become_subreaper() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_CHILD_SUBREAPER takes an integer flag and touches no memory.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1 as libc::c_ulong, 0, 0, 0);
    }
}

/// Kill a process group.
pub fn kill_group(pgid: u32) {
    let Ok(pgid) = libc::pid_t::try_from(pgid) else {
        return;
    };
    if pgid > 1 {
        // SAFETY: kill takes plain integers; a gone group is ESRCH, ignored.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
}

/// Kill everything below `root` (a child not reaped yet), as /proc shows the tree now.
pub fn kill_tree(root: u32) {
    for pid in descendants(root) {
        kill_pid(pid);
    }
}

/// Kill every descendant of this process and reap the ones that are its children, waiting
/// at most `wait` for them to go.
pub fn end_descendants(wait: Duration) {
    let me = std::process::id();
    let all = descendants(me);
    for &pid in &all {
        kill_pid(pid);
    }
    let deadline = Instant::now() + wait;
    let mut left: Vec<u32> = all;
    while !left.is_empty() && Instant::now() < deadline {
        left.retain(|&pid| !reaped_or_gone(pid));
        if !left.is_empty() {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

fn kill_pid(pid: u32) {
    if let Ok(pid) = libc::pid_t::try_from(pid) {
        if pid > 1 {
            // SAFETY: kill takes plain integers; a gone process is ESRCH, ignored.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
    }
}

/// Reap `pid` if it is a finished child; true when it is gone (reaped, or not ours to wait for
/// and no longer in /proc).
fn reaped_or_gone(pid: u32) -> bool {
    let Ok(raw) = libc::pid_t::try_from(pid) else {
        return true;
    };
    let mut status = 0;
    // SAFETY: waitpid writes only into `status`, a local.
    let waited = unsafe { libc::waitpid(raw, &mut status, libc::WNOHANG) };
    waited == raw || (waited < 0 && !std::path::Path::new(&format!("/proc/{pid}")).exists())
}

/// Every process below `root`, from the parent ids in /proc/<pid>/stat.
pub fn descendants(root: u32) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if let Some(ppid) = parent_of(pid) {
            children.entry(ppid).or_default().push(pid);
        }
    }
    let mut found = Vec::new();
    let mut stack = vec![root];
    while let Some(pid) = stack.pop() {
        for &child in children.get(&pid).map(Vec::as_slice).unwrap_or_default() {
            if !found.contains(&child) {
                found.push(child);
                stack.push(child);
            }
        }
    }
    found
}

/// The parent id of `pid`: the fourth field of /proc/<pid>/stat, after the `(comm)` that may
/// hold spaces.
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_comm = &stat[stat.rfind(')')? + 1..];
    after_comm.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_and_ends_a_child_tree() {
        let mut child = std::process::Command::new("sh")
            .args(["-c", "sleep 30 & sleep 30; wait"])
            .spawn()
            .expect("sh runs");
        let root = child.id();
        let deadline = Instant::now() + Duration::from_secs(5);
        while descendants(root).is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let below = descendants(root);
        assert!(!below.is_empty(), "the shell's sleeps are found");
        kill_tree(root);
        let _ = child.kill();
        let _ = child.wait();
        std::thread::sleep(Duration::from_millis(100));
        for pid in below {
            let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let running = state
                .rsplit(')')
                .next()
                .and_then(|s| s.split_whitespace().next());
            assert!(
                matches!(running, None | Some("Z")),
                "{pid} is still running: {state}"
            );
        }
    }
}
