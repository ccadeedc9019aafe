#!/usr/bin/env bash
# Runs every test of Linksmith, as CI does:
#   1. the xunit suite (library + the CLI run as a separate process) on this machine;
#   2. the CLI tests again against the NativeAOT binary;
#   3. the Windows build of the suite under Wine (tests with the trait Platform=Windows), a Wine
#      with symbolic links and junctions, in a chroot made on first use (.ci/wine-tests.sh).
# Ends with one line "N passed, N failed, N skipped" and exits non-zero if anything failed.
# SKIP_AOT=1 or SKIP_WINE=1 leave out stage 2 or 3 (the summary then says so).
set -uo pipefail
root=$(cd "$(dirname "$0")" && pwd)
cd "$root"
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
passed=0 failed=0 skipped=0 status=0

# Adds the counts of a Microsoft.Testing.Platform summary ("total/failed/succeeded/skipped: N").
count_mtp() {
  local log=$1 f s k
  f=$(grep -E '^\s+failed: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
  s=$(grep -E '^\s+succeeded: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
  k=$(grep -E '^\s+skipped: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
  passed=$((passed + ${s:-0})) failed=$((failed + ${f:-0})) skipped=$((skipped + ${k:-0}))
}

echo "== 1/3 xunit suite (dotnet test)"
dotnet test --project tests/Linksmith.Tests -c Release 2>&1 | tee "$logs/suite.log" || status=1
grep -qE '^\s+succeeded: [0-9]+' "$logs/suite.log" || { echo "test.sh: the suite reported no results" >&2; status=1; }
count_mtp "$logs/suite.log"

if [[ "${SKIP_AOT:-0}" != 1 ]]; then
  echo "== 2/3 CLI tests against the NativeAOT binary"
  if aot=$(bench/publish-aot.sh "$root/artifacts/aot"); then
    LINKSMITH_CLI="$aot" dotnet test --project tests/Linksmith.Tests -c Release --no-build --filter-namespace 'Linksmith.Tests.Cli' 2>&1 | tee "$logs/aot.log" || status=1
    count_mtp "$logs/aot.log"
  else
    echo "test.sh: the NativeAOT publish failed" >&2
    status=1 failed=$((failed + 1))
  fi
else
  echo "== 2/3 skipped (SKIP_AOT=1)"
fi

if [[ "${SKIP_WINE:-0}" != 1 && -x .ci/wine-tests.sh ]]; then
  echo "== 3/3 Windows build under Wine"
  .ci/wine-tests.sh 2>&1 | tee "$logs/wine.log"
  wine_status=${PIPESTATUS[0]}
  # xunit v3's console summary: "Total: N, Errors: N, Failed: N, Skipped: N, Not Run: N, Time: …"
  summary=$(grep -E 'Total: [0-9]+, Errors: [0-9]+, Failed: [0-9]+, Skipped: [0-9]+' "$logs/wine.log" | tail -1)
  if [[ -n "$summary" ]]; then
    t=$(sed -E 's/.*Total: ([0-9]+).*/\1/' <<<"$summary")
    e=$(sed -E 's/.*Errors: ([0-9]+).*/\1/' <<<"$summary")
    f=$(sed -E 's/.*Failed: ([0-9]+).*/\1/' <<<"$summary")
    k=$(sed -E 's/.*Skipped: ([0-9]+).*/\1/' <<<"$summary")
    passed=$((passed + t - f - k)) failed=$((failed + f + e)) skipped=$((skipped + k))
  else
    failed=$((failed + 1))
  fi
  [[ $wine_status == 0 ]] || status=1
else
  echo "== 3/3 skipped (SKIP_WINE=1 or no .ci/wine-tests.sh)"
fi

echo "$passed passed, $failed failed, $skipped skipped"
[[ $failed == 0 && $status == 0 ]]
