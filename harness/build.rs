//! Marks the tools the tests need that this machine lacks, so those tests are reported as
//! ignored (never as passed). With `CI` set nothing is marked: a missing tool fails its tests,
//! which name what to install.

use std::path::PathBuf;

/// Tools the tests run, with the cfg set when one is missing outside CI.
const TOOLS: [(&str, &str); 4] = [
    ("node", "skip_node"),
    ("python3", "skip_python"),
    ("chromium", "skip_chromium"),
    ("unshare", "skip_unshare"),
];

/// Real candidates the tests run, installed by their `install.sh`: the file an install leaves,
/// and the cfg set when it is missing outside CI.
const INSTALLED: [(&str, &str, &str); 2] = [
    (
        "../candidates/lark-node",
        "node_modules/@larksuiteoapi/node-sdk/package.json",
        "skip_lark_node",
    ),
    (
        "../candidates/lark-python",
        ".venv/bin/python",
        "skip_lark_python",
    ),
];

fn main() {
    println!("cargo:rerun-if-env-changed=CI");
    println!("cargo:rerun-if-env-changed=PATH");
    println!("cargo:rerun-if-env-changed=DLCONFORM_CHROMIUM");
    for (_, cfg) in TOOLS {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
    }
    println!("cargo::rustc-check-cfg=cfg(skip_landlock)");
    for (dir, _, cfg) in INSTALLED {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        // The folder's own entries change when an install adds or removes what it installs.
        println!("cargo:rerun-if-changed={dir}");
    }
    if in_ci() {
        return;
    }
    if !has_landlock() {
        println!("cargo:warning=this kernel has no Landlock: the tests that need it are ignored");
        println!("cargo:rustc-cfg=skip_landlock");
    }
    for (dir, file, cfg) in INSTALLED {
        if !PathBuf::from(dir).join(file).is_file() {
            println!(
                "cargo:warning=`{}` is not installed (sh {}/install.sh): the tests that run it are ignored",
                dir.trim_start_matches("../"),
                dir.trim_start_matches("../")
            );
            println!("cargo:rustc-cfg={cfg}");
        }
    }
    for (tool, cfg) in TOOLS {
        let found = if tool == "chromium" {
            std::env::var_os("DLCONFORM_CHROMIUM").is_some()
                || on_path("chromium")
                || on_path("chromium-browser")
        } else {
            on_path(tool)
        };
        if !found {
            println!("cargo:warning=`{tool}` is not on PATH: the tests that need it are ignored");
            println!("cargo:rustc-cfg={cfg}");
        }
    }
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
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

fn on_path(name: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir: PathBuf| dir.join(name).is_file())
    })
}
