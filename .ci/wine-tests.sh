#!/usr/bin/env bash
# Runs the tests of Linksmith's Windows platform code (trait Platform=Windows) on Linux under
# Wine: real kernel32 calls (CreateHardLinkW, GetFileInformationByHandle, MoveFileExW, ...)
# from a self-contained win-x64 build of the test project. What Wine 8 lacks (symbolic links,
# junctions, FindFirstFileNameW) is skipped by the tests with the reason; see
# /work/shared/notes/wine.md for the measured facts behind each step.
#
# Works from a clean clone and can be run again: the Wine prefix and the Y: drive are reused.
# Environment: WINEPREFIX (default ~/.wine-linksmith), LINKSMITH_WINE_OUT (publish folder,
# default artifacts/wine-tests), LINKSMITH_WINE_TIMEOUT (seconds, default 600).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
started=$SECONDS
step() { printf 'wine-tests: [%3ds] %s\n' "$((SECONDS - started))" "$*"; }

export WINEPREFIX=${WINEPREFIX:-$HOME/.wine-linksmith}
export WINEDEBUG=-all
# Without this an unhandled crash starts winedbg and wine exits 0; with it, a crash exits 82.
export WINEDLLOVERRIDES=winedbg.exe=d
out=${LINKSMITH_WINE_OUT:-$repo/artifacts/wine-tests}
timeout_seconds=${LINKSMITH_WINE_TIMEOUT:-600}

if ! command -v wine >/dev/null 2>&1; then
  step "installing wine (Debian's wine64 package)"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wine wine64 >/dev/null
fi
step "$(wine --version 2>/dev/null)"

if [ ! -f "$WINEPREFIX/system.reg" ]; then
  step "creating the Wine prefix $WINEPREFIX"
  mkdir -p "$WINEPREFIX"
  # mscoree and mshtml are disabled for this step only: wineboot would otherwise try to
  # download Wine Mono and Gecko. A .NET program run with mscoree disabled does not start.
  WINEDLLOVERRIDES="mscoree,mshtml=;winedbg.exe=d" wine wineboot --init >/dev/null 2>&1
  wineserver -w
fi

# A second drive on another file system, for hard links across volumes (ERROR_NOT_SAME_DEVICE).
other_volume=/dev/shm/linksmith-wine-y
mkdir -p "$other_volume"
ln -sfn "$other_volume" "$WINEPREFIX/dosdevices/y:"
export LINKSMITH_TEST_OTHER_VOLUME='Y:\'

step "publishing the tests for win-x64 to $out"
dotnet publish "$repo/tests/Linksmith.Tests" -r win-x64 --self-contained -c Release -o "$out" -nologo -v quiet

# Without this switch .NET 10 on Wine 8 dies part-way through the run ("Internal CLR error.
# (0x80131506)" in DynamicResolver+DestroyScout.Finalize): reflection invokes test methods
# through emitted stubs, and finalizing those DynamicMethods crashes. Interpreted invoke emits
# none. (It does not cure the hang after a synchronous test fails; tests stay async Task.)
config="$out/Linksmith.Tests.runtimeconfig.json"
if ! grep -q 'ForceInterpretedInvoke' "$config"; then
  sed -i 's/"configProperties": {/"configProperties": {\n      "Switch.System.Reflection.ForceInterpretedInvoke": true,/' "$config"
fi
grep -q '"Switch.System.Reflection.ForceInterpretedInvoke": true' "$config" || {
  step "could not set Switch.System.Reflection.ForceInterpretedInvoke in $config"
  exit 1
}

step "running the tests under wine (timeout ${timeout_seconds}s)"
log="$out/wine-tests.log"
set +e
# .NET 10 on Wine 8 can hang after a synchronous test fails; the timeout ends such a run.
timeout "$timeout_seconds" wine "$out/Linksmith.Tests.exe" -noColor -trait "Platform=Windows" 2>&1 | tee "$log"
code=${PIPESTATUS[0]}
set -e
if [ "$code" -eq 124 ]; then
  step "the test run did not finish within ${timeout_seconds}s; stopping wineserver"
  wineserver -k || true
fi

echo
grep -E 'Total: [0-9]+' "$log" | sed 's/^ */wine-tests: /' || step "no test summary was printed"
step "done, exit code $code"
exit "$code"
