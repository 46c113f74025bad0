//! Confining process candidates: with Landlock (Linux 5.13+) a candidate may read and execute
//! anything but write only beneath the run's sandbox root, its TMPDIR and a few device paths.
//! Without Landlock the harness can only detect writes outside afterwards
//! (`runner::outside`); `--sandbox` chooses.

use std::path::{Path, PathBuf};

/// Device paths every candidate may write, whatever the mode: the null device and the terminal
/// (shells and runtimes open them), and `/dev/shm`, where Chromium and Python's
/// multiprocessing keep shared memory.
pub const DEVICE_PATHS: [&str; 3] = ["/dev/null", "/dev/tty", "/dev/shm"];

/// The environment variable naming the run's temp space (also set as `TMPDIR`).
pub const TMPDIR_VAR: &str = "DLCONFORM_TMPDIR";
/// The environment variable naming the mode in force (`landlock`, `detect`, `off`).
pub const MODE_VAR: &str = "DLCONFORM_SANDBOX";

/// How process candidates are held to their folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum SandboxMode {
    /// Landlock refuses writes outside; refusals the candidate reports and the detection scans
    /// become `file.outside`.
    Landlock,
    /// No confinement; the detection scans find what they can see (`file.outside`).
    #[default]
    Detect,
    /// No confinement and no detection beyond each case folder (the behaviour before Landlock).
    Off,
}

impl SandboxMode {
    /// The mode's name, as `--sandbox` spells it.
    pub fn name(self) -> &'static str {
        match self {
            SandboxMode::Landlock => "landlock",
            SandboxMode::Detect => "detect",
            SandboxMode::Off => "off",
        }
    }

    /// `landlock` where the kernel has it, else `detect`.
    pub fn default_for_kernel() -> SandboxMode {
        if landlock_abi().is_some() {
            SandboxMode::Landlock
        } else {
            SandboxMode::Detect
        }
    }
}

/// Landlock ABI versions from which writes are fully confined: 3 added `truncate`, the last
/// write right this confinement handles.
pub const FULL_ABI: i32 = 3;

/// The kernel's Landlock ABI version, or `None` when it has no Landlock (or it is disabled).
pub fn landlock_abi() -> Option<i32> {
    #[cfg(target_os = "linux")]
    {
        const LANDLOCK_CREATE_RULESET_VERSION: libc::c_uint = 1;
        // SAFETY: with a null attribute and size 0 this call only returns the ABI version.
        let abi = unsafe {
            libc::syscall(
                libc::SYS_landlock_create_ruleset,
                std::ptr::null::<libc::c_void>(),
                0usize,
                LANDLOCK_CREATE_RULESET_VERSION,
            )
        };
        (abi > 0).then_some(abi as i32)
    }
    #[cfg(not(target_os = "linux"))]
    None
}

/// What a process candidate is held to, fixed for the run. The roots are run-wide, not one
/// case's: the candidate lives across cases, and every case's folders lie beneath them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confinement {
    /// The mode in force.
    pub mode: SandboxMode,
    /// The run's sandbox root: every case's `env.fs.temp` and `env.fs.user` lie beneath it.
    pub sandbox_root: PathBuf,
    /// The run's temp space, handed over as `TMPDIR` and [`TMPDIR_VAR`].
    pub tmpdir: PathBuf,
}

impl Confinement {
    /// The folders and device paths the candidate may write beneath.
    pub fn write_roots(&self) -> Vec<PathBuf> {
        let mut roots = vec![self.sandbox_root.clone(), self.tmpdir.clone()];
        roots.extend(DEVICE_PATHS.iter().map(PathBuf::from));
        roots
    }

    /// Whether `path` lies beneath the folders the candidate may write (devices aside).
    pub fn allows(&self, path: &Path) -> bool {
        path.starts_with(&self.sandbox_root) || path.starts_with(&self.tmpdir)
    }

    /// Set the candidate's environment and, in `landlock` mode, the restriction applied in
    /// the child between fork and exec.
    pub fn apply(&self, cmd: &mut tokio::process::Command) -> Result<(), String> {
        cmd.env("TMPDIR", &self.tmpdir)
            .env(TMPDIR_VAR, &self.tmpdir)
            .env(MODE_VAR, self.mode.name());
        if self.mode != SandboxMode::Landlock {
            return Ok(());
        }
        #[cfg(target_os = "linux")]
        {
            let ruleset = landlock_rules::ruleset(&self.write_roots())?;
            let mut ruleset = Some(ruleset);
            // SAFETY: the closure runs in the child after fork; it only makes the prctl and
            // landlock_restrict_self calls on a ruleset built in the parent and allocates
            // nothing (errors are raw OS codes).
            unsafe {
                cmd.pre_exec(move || match ruleset.take() {
                    Some(ruleset) => landlock_rules::restrict(ruleset),
                    None => Ok(()),
                });
            }
            Ok(())
        }
        #[cfg(not(target_os = "linux"))]
        Err("Landlock needs Linux; use --sandbox detect".into())
    }
}

#[cfg(target_os = "linux")]
mod landlock_rules {
    use std::path::PathBuf;

    use landlock::{
        ABI, AccessFs, BitFlags, Ruleset, RulesetAttr, RulesetCreated, RulesetCreatedAttr,
        RulesetStatus, path_beneath_rules,
    };

    /// The write rights handled (refused unless a rule allows them): every write right of
    /// Landlock up to ABI 5 but device ioctls, which are not writes.
    fn write_access() -> BitFlags<AccessFs> {
        AccessFs::from_write(ABI::V5) & !BitFlags::from(AccessFs::IoctlDev)
    }

    /// A ruleset that handles the write rights and allows them beneath `roots`; rights the
    /// kernel lacks are dropped (best effort), which `FULL_ABI` tells apart.
    pub fn ruleset(roots: &[PathBuf]) -> Result<RulesetCreated, String> {
        let access = write_access();
        let missing: Vec<String> = roots
            .iter()
            .filter(|r| {
                !r.exists()
                    && !super::DEVICE_PATHS
                        .iter()
                        .any(|d| r.as_path() == std::path::Path::new(d))
            })
            .map(|r| r.display().to_string())
            .collect();
        if !missing.is_empty() {
            return Err(format!("sandbox roots missing: {}", missing.join(", ")));
        }
        Ruleset::default()
            .handle_access(access)
            .and_then(|r| r.create())
            .and_then(|r| r.add_rules(path_beneath_rules(roots, access)))
            .map_err(|err| format!("cannot build the Landlock ruleset: {err}"))
    }

    /// Restrict the calling process (the child) with `ruleset`; a kernel that enforces
    /// nothing is an error, so a `landlock` run is never silently unconfined.
    pub fn restrict(ruleset: RulesetCreated) -> std::io::Result<()> {
        match ruleset.restrict_self() {
            Ok(status) if status.ruleset == RulesetStatus::NotEnforced => {
                Err(std::io::Error::from_raw_os_error(libc::ENOSYS))
            }
            Ok(_) => Ok(()),
            Err(_) => Err(std::io::Error::from_raw_os_error(libc::EPERM)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_are_the_sandbox_root_tmpdir_and_devices() {
        let c = Confinement {
            mode: SandboxMode::Landlock,
            sandbox_root: PathBuf::from("/r/cases"),
            tmpdir: PathBuf::from("/r/tmp"),
        };
        assert!(c.allows(Path::new("/r/cases/0001-x/temp/a")));
        assert!(c.allows(Path::new("/r/tmp/profile")));
        assert!(!c.allows(Path::new("/r/x")));
        assert!(!c.allows(Path::new("/r/casesx")));
        assert!(c.write_roots().contains(&PathBuf::from("/dev/shm")));
    }
}
