#!/usr/bin/env bash
# Runs the tests on Linux under Wine: real kernel32 calls from a self-contained win-x64 build of
# the test project, the CLI tests starting the win-x64 Linksmith.Cli.exe published beside it.
# Every test class runs except those with trait Platform=Linux (getdents, openat2, O_PATH,
# signals, leases, renameat2 race harnesses, byte names, Linux desktops); a test that cannot run
# under Wine skips and its reason names what Wine lacks.
#
# The Wine is Debian 13's 10.0 with wine-staging's reparse-point patches (.ci/wine-reparse/), in
# a trixie chroot, because Debian's own Wine stubs symbolic links and junctions: under it those
# tests could only skip. The chroot is made from the Debian archive on first use (1.5-3 min) and
# reused while .ci/wine-reparse/ is unchanged. LINKSMITH_WINE=system runs the host's own Wine
# instead (stock Wine: the reparse-point tests then skip, naming what is missing).
#
# Needs root (debootstrap, chroot, mount). Environment: LINKSMITH_WINE_CHROOT (default
# /var/tmp/linksmith-wine-chroot), LINKSMITH_WINE_OUT (publish folder, default
# artifacts/wine-tests), LINKSMITH_WINE_TIMEOUT (seconds, default 900), LINKSMITH_WINE_FILTER
# (xunit v3 console filter options in place of the default '-trait- Platform=Linux', e.g.
# '-trait Platform=Windows' for the platform-code tests only, or '-class Linksmith.Tests.Move.MoveTests').
# See /work/shared/notes/wine.md and .ci/wine-reparse/README.md for the measured facts.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
started=$SECONDS
step() { printf 'wine-tests: [%3ds] %s\n' "$((SECONDS - started))" "$*"; }

mode=${LINKSMITH_WINE:-reparse}
out=${LINKSMITH_WINE_OUT:-$repo/artifacts/wine-tests}
out=$(mkdir -p "$out" && cd "$out" && pwd)
timeout_seconds=${LINKSMITH_WINE_TIMEOUT:-900}
read -r -a filter <<<"${LINKSMITH_WINE_FILTER:--trait- Platform=Linux}"
export WINEDEBUG=-all
# Without this an unhandled crash starts winedbg and wine exits 0; with it, a crash exits 82.
export WINEDLLOVERRIDES=winedbg.exe=d

step "publishing the tests for win-x64 to $out"
dotnet publish "$repo/tests/Linksmith.Tests" -r win-x64 --self-contained -c Release -o "$out" -nologo -v quiet
# The test project sets this switch for Windows builds: without it .NET 10 on Wine 8 dies
# part-way ("Internal CLR error (0x80131506)" finalizing reflection-emitted invoke stubs).
grep -q '"Switch.System.Reflection.ForceInterpretedInvoke": true' "$out/Linksmith.Tests.runtimeconfig.json" || {
  step "Switch.System.Reflection.ForceInterpretedInvoke is not set in $out/Linksmith.Tests.runtimeconfig.json"
  exit 1
}
log="$out/wine-tests.log"
# xunit v3's XML report of every test and its outcome, for .ci/wine-share.py.
report="$out/wine-results.xml"
rm -f "$report"

# Runs the test exe under Wine ("$@" is the command that starts wine) and prints the summary.
run_tests() {
  step "running the tests under wine (${filter[*]}; timeout ${timeout_seconds}s)"
  set +e
  # -k: a Wine that ignores TERM (a hung wineserver) is killed 10 s later. 9>&-: Wine's services
  # (services.exe, rpcss, wineserver) outlive a killed run; holding the chroot's lock they would
  # keep the next run waiting.
  timeout -k 10 "$timeout_seconds" "$@" "$out/Linksmith.Tests.exe" -noColor -xml "$report" "${filter[@]}" 9>&- 2>&1 \
    | grep --line-buffered -v 'XDG_RUNTIME_DIR is invalid' | tee "$log"
  code=${PIPESTATUS[0]}
  set -e
  if [ "$code" -eq 124 ] || [ "$code" -eq 137 ]; then
    step "the test run did not finish within ${timeout_seconds}s"
  fi
  echo
  grep -E 'Total: [0-9]+' "$log" | sed 's/^ */wine-tests: /' || step "no test summary was printed"
  step "done, exit code $code"
  return "$code"
}

if [ "$mode" = system ]; then
  # The host's own Wine (Debian 12: 8.0), with its prefix and a Y: drive on /dev/shm.
  export WINEPREFIX=${WINEPREFIX:-$HOME/.wine-linksmith}
  command -v wine >/dev/null 2>&1 || { step "LINKSMITH_WINE=system needs wine (apt-get install wine64)"; exit 1; }
  step "$(wine --version 2>/dev/null)"
  if [ ! -f "$WINEPREFIX/system.reg" ]; then
    step "creating the Wine prefix $WINEPREFIX"
    mkdir -p "$WINEPREFIX"
    # mscoree and mshtml are disabled for this step only: wineboot would otherwise try to
    # download Wine Mono and Gecko. A .NET program run with mscoree disabled does not start.
    WINEDLLOVERRIDES="mscoree,mshtml=;winedbg.exe=d" wine wineboot --init >/dev/null 2>&1
    wineserver -w
  fi
  other_volume=/dev/shm/linksmith-wine-y
  mkdir -p "$other_volume"
  ln -sfn "$other_volume" "$WINEPREFIX/dosdevices/y:"
  export LINKSMITH_TEST_OTHER_VOLUME='Y:\'
  code=0
  run_tests wine || code=$?
  wineserver -k 2>/dev/null || true
  exit "$code"
fi

[ "$(id -u)" -eq 0 ] || { step "needs root (debootstrap, chroot, mount); LINKSMITH_WINE=system runs the host's Wine"; exit 1; }
chroot_dir=${LINKSMITH_WINE_CHROOT:-/var/tmp/linksmith-wine-chroot}
case $chroot_dir in "$repo"/*) step "the chroot must not be inside the repository: $chroot_dir"; exit 1 ;; esac

# One run at a time per chroot: runs share its prefix and mounts.
exec 9>"$chroot_dir.lock"
flock -w 1800 9 || { step "another run holds $chroot_dir.lock"; exit 1; }

# What this script mounted, unmounted in reverse order however the script ends. A mount left
# behind would keep the publish folder reachable from the chroot, and would make removing the
# chroot remove the folder's contents.
mounted=()
unmount_all() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" || true
  done
  mounted=()
}
trap unmount_all EXIT
# setup.sh mounts these and leaves them mounted; they are this run's to unmount.
adopt_system_mounts() {
  local m
  for m in proc dev dev/pts; do
    if mountpoint -q "$chroot_dir/$m"; then mounted+=("$chroot_dir/$m"); fi
  done
}

# The chroot is reused only if a run finished making it from this very setup.sh and tarball.
stamp_file=$chroot_dir/root/linksmith-wine-ready
stamp=$(cat "$repo/.ci/wine-reparse/setup.sh" "$repo/.ci/wine-reparse/wine-10.0-reparse-dlls.tar.zst" | sha256sum | cut -c1-16)
if [ "$(cat "$stamp_file" 2>/dev/null)" != "$stamp" ]; then
  if [ -e "$chroot_dir" ]; then
    step "removing the incomplete or outdated chroot $chroot_dir"
    for m in dev/pts dev proc; do if mountpoint -q "$chroot_dir/$m"; then umount "$chroot_dir/$m"; fi; done
    if findmnt -rn -o TARGET | grep -q "^$chroot_dir/"; then
      step "something is still mounted under $chroot_dir; unmount it first"
      exit 1
    fi
    rm -rf --one-file-system "$chroot_dir" "$chroot_dir.debootstrap.log"
  fi
  step "making the chroot $chroot_dir (.ci/wine-reparse/setup.sh)"
  # setup.sh installs debootstrap and zstd with apt-get if they are missing.
  set +e
  nice "$repo/.ci/wine-reparse/setup.sh" "$chroot_dir" 2>&1 | sed -u 's/^/wine-tests: setup: /'
  code=${PIPESTATUS[0]}
  set -e
  adopt_system_mounts
  if [ "$code" -ne 0 ]; then
    step "making the chroot failed (exit $code)"
    exit "$code"
  fi
  echo "$stamp" >"$stamp_file"
else
  step "reusing the chroot $chroot_dir"
  adopt_system_mounts
  for m in proc dev dev/pts; do
    mountpoint -q "$chroot_dir/$m" && continue
    case $m in proc) mount -t proc proc "$chroot_dir/proc" ;; *) mount --bind "/$m" "$chroot_dir/$m" ;; esac
    mounted+=("$chroot_dir/$m")
  done
fi

# The publish folder at the same path inside the chroot, so the paths the tests see (the exe's
# folder, Z:\ + its Linux path) and the paths on the host agree.
mkdir -p "$chroot_dir$out"
mount --bind "$out" "$chroot_dir$out"
mounted+=("$chroot_dir$out")
# A fresh tmpfs as drive Y:, another volume for cross-volume tests (ERROR_NOT_SAME_DEVICE).
other_volume=/mnt/linksmith-other-volume
mkdir -p "$chroot_dir$other_volume"
mount -t tmpfs -o size=64m linksmith-other-volume "$chroot_dir$other_volume"
mounted+=("$chroot_dir$other_volume")
ln -sfn "$other_volume" "$chroot_dir/root/.wine/dosdevices/y:"

in_chroot=(chroot "$chroot_dir" env -i HOME=/root PATH=/usr/bin:/bin WINEPREFIX=/root/.wine
  WINEDEBUG="$WINEDEBUG" WINEDLLOVERRIDES="$WINEDLLOVERRIDES" LANG=C.UTF-8)
step "$("${in_chroot[@]}" wine --version 2>/dev/null 9>&-) (reparse-point overlay) in $chroot_dir"
code=0
# LINKSMITH_TEST_EXPECT_REPARSE_POINTS: here a failed symlink or junction probe is a test
# failure, not a skip, so a broken chroot cannot turn the pass quietly into skips.
run_tests "${in_chroot[@]}" LINKSMITH_TEST_OTHER_VOLUME='Y:\' LINKSMITH_TEST_EXPECT_REPARSE_POINTS=1 wine || code=$?
# wineserver outlives the test process by a few seconds; stop it so the mounts can go.
"${in_chroot[@]}" timeout 30 wineserver -k 2>/dev/null 9>&- || true
exit "$code"
