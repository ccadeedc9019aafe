#!/usr/bin/env bash
# Two linksmith binaries on the same tree, in one sitting: each job run by both, alternately run by
# run (before, after, then after, before, ...), so that a change's before and after meet the same
# cache and machine state even when the load drifts. Prints one row a job: mean seconds and spread
# of each binary, after/before of the means, and the median of the per-pair after/before ratios
# (the figure to trust on a busy machine).
#
#   bench/compare.sh BEFORE_BINARY AFTER_BINARY TREE     (TREE from ../shared/bench/gen_tree.py)
#   env: RUNS (default 3), WORK (scratch folder on TREE's file system, default TREE.compare),
#        JOBS (default "copy clone backup mirror size check scan dedupe")
# Jobs: copy SRC to a fresh DST; clone; backup into a REPO holding a snapshot of TREE (all files
# linked, none copied: the incremental case); mirror onto an identical copy (all compared, none
# copied); size, check, scan of TREE; dedupe TREE (report, --no-cache). Results go to WORK/*.json.
set -euo pipefail
before=$(realpath "$1") after=$(realpath "$2") tree=$(realpath "$3")
runs=${RUNS:-3}
work=${WORK:-$tree.compare}
jobs=${JOBS:-copy clone backup mirror size check scan dedupe}
mkdir -p "$work"
export LINKSMITH_STATE_DIR=$work/state

# The fixed trees the incremental jobs start from, made once with the AFTER binary.
[[ -d $work/mirror-base ]] || "$after" copy "$tree" "$work/mirror-base" >/dev/null
[[ -d $work/repo ]] || "$after" backup "$tree" "$work/repo" >/dev/null

row() { # job, then the prepare and timed commands for {bin}: before and after alternate run by run
  local job=$1 prepare=$2 command=$3
  python3 - "$work/$job.json" "$job" "$runs" "$prepare" "${command//\{bin\}/$before}" "${command//\{bin\}/$after}" <<'PY'
import json, statistics, subprocess, sys, time
out, job, runs, prepare, commands = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], {"before": sys.argv[5], "after": sys.argv[6]}
def timed(name):
    subprocess.run(["sh", "-c", prepare], check=True)
    start = time.perf_counter()
    subprocess.run(["sh", "-c", commands[name]], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start
times = {"before": [], "after": []}
timed("before"); timed("after")  # warm-up, one each
for i in range(runs):
    # ABBA: each pair runs in the other order from the last, so a drift in load favours neither side.
    for name in (("before", "after") if i % 2 == 0 else ("after", "before")):
        times[name].append(timed(name))
ratios = [a / b for a, b in zip(times["after"], times["before"])]
json.dump({"job": job, "commands": commands, "prepare": prepare, "times": times, "pairRatios": ratios}, open(out, "w"), indent=1)
sd = lambda xs: statistics.stdev(xs) if len(xs) > 1 else 0.0
b, a = times["before"], times["after"]
print(f"| {job} | {statistics.mean(b):.3f} ± {sd(b):.3f} | {statistics.mean(a):.3f} ± {sd(a):.3f} | {statistics.mean(a) / statistics.mean(b):.3f} | {statistics.median(ratios):.3f} |", flush=True)
PY
}

echo "| job | before (s) | after (s) | after/before (means) | median of paired ratios |"
echo "|---|---:|---:|---:|---:|"
for job in $jobs; do
  case $job in
    copy) row copy "rm -rf $work/out" "{bin} copy $tree $work/out" ;;
    clone) row clone "rm -rf $work/out" "{bin} clone $tree $work/out" ;;
    # --prev: every snapshot is made against the same one, so each run does the same work.
    backup) row backup "sh -c 'rm -rf $work/repo2 && mkdir $work/repo2'" "{bin} backup --prev $(ls -d "$work"/repo/2* | head -n1) $tree $work/repo2" ;;
    mirror) row mirror "true" "{bin} mirror $tree $work/mirror-base" ;;
    size) row size "true" "{bin} size $tree" ;;
    check) row check "true" "sh -c '{bin} check $tree >/dev/null || true'" ;;
    scan) row scan "true" "{bin} scan $tree" ;;
    dedupe) row dedupe "true" "{bin} dedupe --no-cache $tree" ;;
    *) echo "compare.sh: unknown job $job" >&2; exit 2 ;;
  esac
done
rm -rf "$work/out" "$work/repo2"
