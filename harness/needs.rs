// Everything a test needs beyond the Rust toolchain, a POSIX shell and coreutils: one list, read
// by harness/build.rs and mock-server/build.rs (through `include!`) and by the tests (as a
// module). Each test that needs something names it twice, in the same order:
//
//     #[cfg_attr(any(skip_node, skip_chromium), ignore = "needs node, chromium")]
//     fn ... { needs::require(&["node", "chromium"]); ... }
//
// Outside CI the build script sets `skip_<name>` (dashes as underscores) for each missing one,
// with one warning naming the command that installs it, so cargo reports its tests as ignored.
// With `CI` set nothing is marked: the tests run and `require` fails them, naming the command.
// `harness/tests/needs_named.rs` holds the tests to this; `scripts/setup-tests.sh` installs
// every one that a script can.
//
// Plain `//` comments: this file is also `include!`d, where inner doc comments are refused.

/// How a need is found.
#[allow(dead_code)]
pub enum Find {
    /// A program on PATH, under any of these names.
    Program(&'static [&'static str]),
    /// A program named by this environment variable, or on PATH under any of these names.
    ProgramOr(&'static str, &'static [&'static str]),
    /// These files under the repository root, all of them (what an install leaves last).
    Files(&'static [&'static str]),
    /// A kernel that answers the Landlock ABI query.
    Landlock,
}

/// Something tests need from the machine or from an install in the tree.
pub struct Need {
    /// Its name in `needs::require` and in ignore reasons; `skip_<name>` is its cfg.
    pub name: &'static str,
    /// How it is found.
    pub find: Find,
    /// The command that installs it.
    pub install: &'static str,
    /// Other needs it cannot work without; a test that names it names these too.
    #[allow(dead_code)]
    pub requires: &'static [&'static str],
}

/// Every need of every test, tools first, then what the repository's install scripts put in
/// the tree.
pub const NEEDS: &[Need] = &[
    Need {
        name: "curl",
        find: Find::Program(&["curl"]),
        install: "apt-get install -y curl",
        requires: &[],
    },
    Need {
        name: "python3",
        find: Find::Program(&["python3"]),
        install: "apt-get install -y python3",
        requires: &[],
    },
    Need {
        name: "node",
        find: Find::Program(&["node"]),
        install: "apt-get install -y nodejs",
        requires: &[],
    },
    Need {
        name: "chromium",
        find: Find::ProgramOr("DLCONFORM_CHROMIUM", &["chromium", "chromium-browser"]),
        install: "apt-get install -y chromium",
        requires: &[],
    },
    Need {
        name: "certutil",
        find: Find::Program(&["certutil"]),
        install: "apt-get install -y libnss3-tools",
        requires: &[],
    },
    Need {
        name: "unshare",
        find: Find::Program(&["unshare"]),
        install: "apt-get install -y util-linux",
        requires: &[],
    },
    Need {
        name: "landlock",
        find: Find::Landlock,
        install: "a Linux kernel with Landlock enabled (5.13 or later)",
        requires: &[],
    },
    Need {
        name: "bridge-test",
        find: Find::Files(&["bridge/test/node_modules/.package-lock.json"]),
        install: "sh bridge/test/install.sh",
        requires: &["node"],
    },
    Need {
        name: "browser",
        find: Find::Files(&["candidates/browser/node_modules/.dlconform-lock.sha256"]),
        install: "sh candidates/browser/install.sh",
        requires: &["node", "chromium", "certutil"],
    },
    Need {
        name: "lark-node",
        find: Find::Files(&["candidates/lark-node/node_modules/.installed-from-lock"]),
        install: "sh candidates/lark-node/install.sh",
        requires: &["node"],
    },
    Need {
        name: "lark-python",
        find: Find::Files(&[
            "candidates/lark-python/.venv/bin/python",
            "candidates/lark-python/.venv/.installed-from-requirements",
        ]),
        install: "sh candidates/lark-python/install.sh",
        requires: &["python3"],
    },
    Need {
        name: "taro-h5",
        find: Find::Files(&[
            "candidates/taro-h5/node_modules/.dlconform-lock.sha256",
            "candidates/taro-h5/page/bundle.js",
        ]),
        install: "sh candidates/taro-h5/install.sh",
        requires: &["browser"],
    },
    Need {
        name: "uni-h5",
        find: Find::Files(&[
            "candidates/uni-h5/node_modules/.dlconform-lock.sha256",
            "candidates/uni-h5/page/bundle.js",
        ]),
        install: "sh candidates/uni-h5/install.sh",
        requires: &["browser"],
    },
];

impl Need {
    /// The cfg the build script sets when this is missing outside CI.
    #[allow(dead_code)]
    pub fn cfg(&self) -> String {
        format!("skip_{}", self.name.replace('-', "_"))
    }

    /// Whether it is there, for a repository whose root is `root`.
    pub fn found(&self, root: &std::path::Path) -> bool {
        match self.find {
            Find::Program(names) => names.iter().any(|name| on_path(name).is_some()),
            Find::ProgramOr(var, names) => {
                std::env::var_os(var).is_some_and(|path| std::path::Path::new(&path).is_file())
                    || names.iter().any(|name| on_path(name).is_some())
            }
            Find::Files(files) => files.iter().all(|file| root.join(file).is_file()),
            Find::Landlock => has_landlock(),
        }
    }
}

/// The need called `name`; a name not in [`NEEDS`] is a mistake in the test naming it.
#[allow(dead_code)]
pub fn need(name: &str) -> &'static Need {
    NEEDS
        .iter()
        .find(|need| need.name == name)
        .unwrap_or_else(|| panic!("`{name}` is not in harness/needs.rs"))
}

/// Fail the calling test unless every need named is there, naming what installs each missing
/// one. Outside CI such a test is ignored before it gets here (see the top of this file).
#[allow(dead_code)]
pub fn require(names: &[&str]) {
    let root = repo_root();
    let missing: Vec<String> = names
        .iter()
        .map(|name| need(name))
        .filter(|need| !need.found(&root))
        .map(|need| format!("{} ({})", need.name, need.install))
        .collect();
    assert!(
        missing.is_empty(),
        "this test needs what is missing: {} (scripts/setup-tests.sh installs them all)",
        missing.join(", ")
    );
}

/// The repository root, from CARGO_MANIFEST_DIR as cargo sets it when it runs a build script or
/// a test: read then, not compiled in, since cargo reuses a compiled build script for a copy of
/// the tree in the same target folder, whose own folders are what count.
#[allow(dead_code)]
pub fn repo_root() -> std::path::PathBuf {
    let manifest = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    );
    manifest
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or(manifest)
}

/// `name` in a folder of PATH, as a file.
pub fn on_path(name: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|path| path.is_file())
    })
}

/// Whether the kernel answers the Landlock ABI query (`landlock_create_ruleset` with the
/// version flag), as the harness's `--sandbox landlock` needs.
fn has_landlock() -> bool {
    #[cfg(target_os = "linux")]
    {
        unsafe extern "C" {
            fn syscall(number: i64, ...) -> i64;
        }
        // 444 is landlock_create_ruleset on every Linux architecture; flag 1 asks the version.
        // SAFETY: a null attribute with size 0 only queries the ABI version.
        let abi = unsafe { syscall(444, std::ptr::null::<u8>(), 0usize, 1u32) };
        abi > 0
    }
    #[cfg(not(target_os = "linux"))]
    false
}

/// `CI` set to anything but empty, `0` or `false`.
#[allow(dead_code)]
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

/// What a build script prints for the needs: the cfgs it may set, what makes cargo run it
/// again (a need appearing or going away), and outside CI one `skip_<name>` cfg per missing
/// need, with one warning naming its install when `warn` (one crate warns, so each missing need
/// is one line). `root` is the repository root.
#[allow(dead_code)]
pub fn emit_build_script_lines(root: &std::path::Path, warn: bool) {
    println!("cargo:rerun-if-env-changed=CI");
    println!("cargo:rerun-if-env-changed=PATH");
    println!("cargo:rerun-if-changed=../harness/needs.rs");
    let mut watch: Vec<std::path::PathBuf> = Vec::new();
    let mut watch_path_dirs = false;
    for need in NEEDS {
        println!("cargo::rustc-check-cfg=cfg({})", need.cfg());
        match need.find {
            Find::Program(names) | Find::ProgramOr(_, names) => {
                if let Find::ProgramOr(var, _) = need.find {
                    println!("cargo:rerun-if-env-changed={var}");
                }
                match names.iter().find_map(|name| on_path(name)) {
                    // Its removal makes cargo run the script again.
                    Some(path) => watch.push(path),
                    // Its install changes a folder of PATH.
                    None => watch_path_dirs = true,
                }
            }
            Find::Files(files) => {
                for file in files {
                    // A missing path would make cargo run the script on every build: watch the
                    // nearest folder that is there instead, whose entries change when the file
                    // appears. Never the root itself (it holds target/).
                    let mut path = root.join(file);
                    while !path.exists() {
                        match path.parent() {
                            Some(parent) if parent != root => path = parent.to_path_buf(),
                            _ => break,
                        }
                    }
                    if path.exists() && path != root {
                        watch.push(path);
                    }
                }
            }
            Find::Landlock => {}
        }
    }
    if watch_path_dirs {
        if let Some(paths) = std::env::var_os("PATH") {
            watch.extend(
                std::env::split_paths(&paths).filter(|dir| dir.is_absolute() && dir.is_dir()),
            );
        }
    }
    watch.sort();
    watch.dedup();
    for path in watch {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    if in_ci() {
        return;
    }
    for need in NEEDS {
        if !need.found(root) {
            if warn {
                println!(
                    "cargo:warning=`{}` is missing, the tests that need it are ignored; to install: {}",
                    need.name, need.install
                );
            }
            println!("cargo:rustc-cfg={}", need.cfg());
        }
    }
}
