#!/usr/bin/env bash
# Start-up cost of one `linksmith` call against the coreutils it replaces:
#   linksmith hardlink A B   vs   ln A B
#   linksmith info X         vs   stat X
# Builds the NativeAOT binary (unless LINKSMITH_CLI names one), then times each command with
# hyperfine over many runs and prints the medians. Target: median <= 20 ms for the AOT binary.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${RUNS:-100}
work=${BENCH_WORK:-$here/work}
mkdir -p "$work"

need() { command -v "$1" >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }; }
need hyperfine hyperfine
need python3 python3

if [[ -z "${LINKSMITH_CLI:-}" ]]; then
  "$root/bench/publish-aot.sh" "$work/aot" >/dev/null
  LINKSMITH_CLI="$work/aot/linksmith"
fi
jit_dll="$work/jit/Linksmith.Cli.dll"
dotnet build "$root/src/Linksmith.Cli" -c Release -o "$work/jit" -v quiet -nologo >/dev/null

scratch=$(mktemp -d "$work/startup.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
echo data > A
echo data > X

hyperfine -N --warmup 10 --runs "$runs" --export-json "$work/startup.json" \
  --prepare 'rm -f B' -n 'linksmith hardlink A B (AOT)' "$LINKSMITH_CLI hardlink A B" \
  --prepare 'rm -f B' -n 'ln A B' 'ln A B' \
  --prepare 'rm -f B' -n 'linksmith hardlink A B (JIT)' "dotnet $jit_dll hardlink A B" \
  >/dev/null
hyperfine -N --warmup 10 --runs "$runs" --export-json "$work/startup-info.json" \
  -n 'linksmith info X (AOT)' "$LINKSMITH_CLI info X" \
  -n 'stat X' 'stat X' \
  -n 'linksmith info X (JIT)' "dotnet $jit_dll info X" \
  >/dev/null

python3 - "$work/startup.json" "$work/startup-info.json" <<'PY'
import json, statistics, sys
rows = []
for path in sys.argv[1:]:
    for r in json.load(open(path))["results"]:
        rows.append((r["command"], statistics.median(r["times"]) * 1000, min(r["times"]) * 1000, max(r["times"]) * 1000, len(r["times"])))
print(f"| command | median ms | min ms | max ms | runs |")
print(f"|---|---:|---:|---:|---:|")
for name, med, lo, hi, n in rows:
    print(f"| `{name}` | {med:.1f} | {lo:.1f} | {hi:.1f} | {n} |")
PY
