#!/usr/bin/env bash
# Link health and accounting at find and du speed, in the shared kit's harness (peers.sh):
#   linksmith check DIR   vs  symlinks -r DIR, find DIR -xtype l   (task "deadlinks")
#   linksmith size DIR    vs  du -s DIR                             (task "du")
# and the checks: check prints every dangling link and loop the manifest lists (one line each),
# size's allocatedBytes equals du -sB1.
#
#   bench/health.sh [tiny|small|large]        (default small)
#   env: LINKSMITH_CLI=binary (default: publish the AOT binary into $BENCH_WORK/aot)
#        BENCH_WORK=DIR (default bench/work, git-ignored)  BENCH_KIT=DIR (default ../shared/bench)
#        FS=loop|plain (default plain: these tasks only read, so the root file system's
#        no-journal create penalty does not apply, and no 36 GiB image is needed)
# Runs hold /tmp/linksmith-bench.lock, so only one benchmark runs on the machine at a time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
preset=${1:-small}
export BENCH_WORK=${BENCH_WORK:-$here/work}
export FS=${FS:-plain}
kit=${BENCH_KIT:-$(cd "$root/../shared/bench" && pwd)}
mkdir -p "$BENCH_WORK"

if [[ -z "${LINKSMITH_CLI:-}" ]]; then
  LINKSMITH_CLI=$("$root/bench/publish-aot.sh" "$BENCH_WORK/aot")
fi

PEERS=${PEERS:-'tool|symlinks_r|find_xtype_l|du_s|floor_walk'} \
TOOL_DEADLINKS="$LINKSMITH_CLI check {dir}" \
TOOL_DU="$LINKSMITH_CLI size {dir}" \
  flock /tmp/linksmith-bench.lock "$kit/peers.sh" "$preset" deadlinks du

results=$BENCH_WORK/results/$preset-${CACHE:-warm}
tree=$BENCH_WORK/data/$preset/tree
python3 - "$results" "$tree" "$LINKSMITH_CLI" <<'PY'
import json, os, statistics, subprocess, sys
results, tree, cli = sys.argv[1:4]
man = json.load(open(tree + ".manifest.json"))
def median(task, name):
    path = f"{results}/{task}.{name}.json"
    if not os.path.exists(path):
        return None
    return statistics.median(json.load(open(path))["results"][0]["times"])
rows = [("deadlinks", "tool", "linksmith check"), ("deadlinks", "symlinks_r", "symlinks -r"),
        ("deadlinks", "find_xtype_l", "find -xtype l"), ("deadlinks", "floor_walk", "floor (d_type walk)"),
        ("du", "tool", "linksmith size"), ("du", "du_s", "du -s"), ("du", "floor_walk", "floor (lstat walk)")]
base = {"deadlinks": median("deadlinks", "symlinks_r"), "du": median("du", "du_s")}
n = man["regular_file_paths"]  # files/s as BASELINES.md counts it: regular-file paths / median
print(f"| task | command | median s | vs peer | files/s |")
print(f"|---|---|---:|---:|---:|")
for task, name, label in rows:
    m = median(task, name)
    if m is None:
        continue
    ratio = f"{m / base[task]:.2f}x" if base[task] else "-"
    rate = f"{n / m / 1000:.0f}k" if n else "-"
    print(f"| {task} | `{label}` | {m:.3f} | {ratio} | {rate} |")
# Correctness: every dangling link and loop, once; allocatedBytes == du -sB1.
out = subprocess.run([cli, "check", "--json", tree], capture_output=True, text=True, errors="surrogateescape")
problems = json.loads(out.stdout)["problems"]
loops = sum(1 for p in problems if p["problem"] == "loop")
print(f"check: {len(problems)} problems ({loops} loops), manifest {man['symlinks_dangling']} dangling "
      f"({man['symlinks_dangling_loops']} loops), exit {out.returncode}: "
      f"{'ok' if len(problems) == man['symlinks_dangling'] and loops == man['symlinks_dangling_loops'] else 'MISMATCH'}")
size = json.loads(subprocess.run([cli, "size", "--json", tree], capture_output=True, text=True).stdout)["sizes"][0]
du = int(subprocess.run(["du", "-sB1", tree], capture_output=True, text=True).stdout.split()[0])
# du -sB1 of the tree as it is now decides; the manifest's figure is from when the tree was made
# (a directory's blocks grow when a run leaves and removes entries in it).
print(f"size: allocatedBytes {size['allocatedBytes']}, du -sB1 {du}: {'ok' if size['allocatedBytes'] == du else 'MISMATCH'}"
      f" (manifest du_bytes {man['du_bytes']}{'' if du == man['du_bytes'] else ', tree changed since it was made'})")
for ours, theirs in (("apparentBytes", "bytes_apparent_unique_inodes"), ("namedBytes", "bytes_apparent_all_paths"),
                     ("files", "regular_file_paths"), ("links", "symlinks")):
    print(f"size: {ours} {size[ours]}, manifest {theirs} {man[theirs]}: {'ok' if size[ours] == man[theirs] else 'MISMATCH'}")
PY
