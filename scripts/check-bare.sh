#!/bin/sh
# Proves the rule of harness/needs.rs on this machine: in a copy of the tree as git has it (no
# node_modules, no .venv, no bundle), with CI unset and a PATH holding only the Rust toolchain,
# the C linker, a shell and core utilities, `cargo test --workspace` exits 0, no test fails, every
# test that names a missing need is reported as ignored, and the build warns once per missing
# need, naming its install.
#
# It shares the target folder ($CARGO_TARGET_DIR, else target/), so only the workspace's own
# crates are compiled again (the cfgs differ); the next ordinary build compiles them once more.
# See README (Tests) for how long it takes.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The tree: tracked files and new ones not ignored, as they are in the working copy.
mkdir "$work/tree"
(cd "$root" && git ls-files -z --cached --others --exclude-standard) |
  (cd "$root" && tar --null --no-recursion -T - -cf -) | tar -xf - -C "$work/tree"

# The PATH: the toolchain's own folder (cargo, rustc; not the rustup proxies), the linker, a
# shell and core utilities. None of the programs harness/needs.rs lists.
bin="$work/bin"
mkdir "$bin"
sysroot=$(rustc --print sysroot)
for program in "$sysroot"/bin/*; do ln -s "$program" "$bin/"; done
for tool in cc sh bash env cat cp mv rm ln ls mkdir rmdir chmod touch head tail sort uniq wc tr \
  cut sed grep dirname basename readlink realpath mktemp sleep timeout kill date true false \
  printf echo id uname tee xargs find sha256sum stat du expr seq tar; do
  found=$(command -v "$tool" || true)
  case "$found" in /*) ln -s "$found" "$bin/$tool" ;; esac
done
for name in curl python3 node npm chromium chromium-browser certutil unshare; do
  if [ -e "$bin/$name" ]; then
    echo "check-bare: $name would be on the bare PATH" >&2
    exit 1
  fi
done

log="$work/test.log"
status=0
started=$(date +%s)
(cd "$work/tree" && env -i HOME="$HOME" PATH="$bin" \
  CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" CARGO_TARGET_DIR="$target" \
  cargo test --workspace 2>&1) > "$log" || status=$?
took=$(($(date +%s) - started))

passed=$(grep '^test result: ' "$log" | sed 's/.*\. \([0-9]*\) passed.*/\1/' | awk '{ s += $1 } END { print s + 0 }')
failed=$(grep '^test result: ' "$log" | sed 's/.* \([0-9]*\) failed.*/\1/' | awk '{ s += $1 } END { print s + 0 }')
ignored=$(grep '^test result: ' "$log" | sed 's/.* \([0-9]*\) ignored.*/\1/' | awk '{ s += $1 } END { print s + 0 }')
ignored_for_needs=$(grep -c '\.\.\. ignored, needs ' "$log" || true)
# Every test that names a need other than the kernel's Landlock (which no PATH takes away).
named=$(cd "$work/tree" && find harness mock-server reference protocol -path '*/tests/*' -name '*.rs' \
  ! -name needs_named.rs -exec cat {} + | grep -o 'ignore = "needs [^"]*"' | grep -vc '"needs landlock"' || true)
warned=$(grep '^warning: dlconform@[^:]*: `[a-z0-9-]*` is missing' "$log" | sort -u | wc -l)
needs=$(grep -c '^        name: "' "$work/tree/harness/needs.rs")

echo "check-bare: cargo test --workspace exited $status in $took s: $passed passed, $failed failed, $ignored ignored"
echo "check-bare: $ignored_for_needs ignored for a missing need, of $named tests that name one besides landlock"
grep '^warning: dlconform@[^:]*: `' "$log" | sed 's/^/check-bare: /' | sort -u
problem=""
[ "$status" = 0 ] || problem="$problem; exit status $status"
[ "$failed" = 0 ] || problem="$problem; $failed failed: $(grep -E '^test .* FAILED$' "$log" | tr '\n' ' ')"
[ "$ignored_for_needs" -ge "$named" ] || problem="$problem; fewer tests ignored for a need than name one"
[ "$warned" -ge $((needs - 1)) ] || problem="$problem; $warned warnings for $needs needs"
if [ -n "$problem" ]; then
  grep -E '^(error|warning: unused|---- )' "$log" >&2 || true
  tail -n 60 "$log" >&2
  echo "check-bare: FAILED${problem}" >&2
  exit 1
fi
echo "check-bare: ok"
