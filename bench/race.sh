#!/usr/bin/env bash
# Measures the race harness's hit rate: runs the race tests (tests/Linksmith.Tests/Races) with a
# larger time budget and prints, per job, the runs, the runs that let something escape, the kinds
# of escape (each with the number of runs that had it), the attacker's swaps and the exit codes.
# It measures, it does not judge: it exits 0 whether or not the tests pass. Needs root on Linux.
#
#   SECONDS_PER_JOB=60   time budget of each job (LINKSMITH_RACE_SECONDS)
#   ITERATIONS=N         stop a job after N runs (LINKSMITH_RACE_ITERATIONS)
#   AOT=1                publish the NativeAOT binary and race it (about 10 ms to start instead of
#                        over 100 ms, so several times more runs in the same budget)
#   LINKSMITH_CLI=PATH   race that binary
#   CONTROL=1            the same runs with the attacker idle (LINKSMITH_RACE_CONTROL): a check
#                        that the harness finds nothing when nobody attacks
#   TEST=NAME            only the test methods whose name contains NAME (e.g. Mirror)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [[ $(id -u) != 0 || $(uname -s) != Linux ]]; then
  echo "race.sh: the harness runs the jobs as root on Linux (the tests skip otherwise)" >&2
  exit 2
fi

if [[ "${AOT:-0}" == 1 && -z "${LINKSMITH_CLI:-}" ]]; then
  LINKSMITH_CLI=$(bench/publish-aot.sh "$root/artifacts/aot")
  export LINKSMITH_CLI
fi

report=$(mktemp)
log=$(mktemp)
trap 'rm -f "$report" "$log"' EXIT
export LINKSMITH_RACE_SECONDS=${SECONDS_PER_JOB:-60} LINKSMITH_RACE_REPORT=$report
[[ -n "${ITERATIONS:-}" ]] && export LINKSMITH_RACE_ITERATIONS=$ITERATIONS
[[ "${CONTROL:-0}" == 1 ]] && export LINKSMITH_RACE_CONTROL=1

dotnet build tests/Linksmith.Tests -c Release -nologo -v quiet >/dev/null
filter=(--filter-namespace 'Linksmith.Tests.Races')
[[ -n "${TEST:-}" ]] && filter+=(--filter-method "*${TEST}*")
started=$(date +%s)
dotnet test --project tests/Linksmith.Tests -c Release --no-build "${filter[@]}" >"$log" 2>&1 || true
elapsed=$(($(date +%s) - started))

echo "commit $(git rev-parse --short HEAD), ${LINKSMITH_CLI:-JIT CLI (dotnet Linksmith.Cli.dll)}, ${LINKSMITH_RACE_SECONDS} s per job, $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "| job | runs | runs with an escape | escape kinds (runs) | swaps | exit codes | unhandled exceptions | seconds |"
echo "|---|---:|---:|---|---:|---|---:|---:|"
while IFS=$'\t' read -r job runs escaped kinds swaps exits crashes seconds; do
  echo "| $job | $runs | $escaped | $kinds | $swaps | $exits | $crashes | $seconds |"
done <"$report"
echo
grep -E '^(passed|failed|skipped) ' "$log" | sed -E 's/ \(.*//' | sort || true
grep -A1 -E '^skipped ' "$log" | grep -vE '^(skipped|--)' | sed 's/^ */  skipped because: /' || true
echo "total ${elapsed} s"
