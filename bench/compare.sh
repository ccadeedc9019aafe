#!/usr/bin/env bash
# Two linksmith binaries on the same tree, in one sitting: each job run by both, alternately, so
# that a change's before and after meet the same cache and machine state. Prints one row a job:
# mean seconds of each binary (hyperfine), and after/before.
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
command -v hyperfine >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null; }
mkdir -p "$work"
export LINKSMITH_STATE_DIR=$work/state

# The fixed trees the incremental jobs start from, made once with the AFTER binary.
[[ -d $work/mirror-base ]] || "$after" copy "$tree" "$work/mirror-base" >/dev/null
[[ -d $work/repo ]] || "$after" backup "$tree" "$work/repo" >/dev/null

row() { # job, then the hyperfine arguments for {bin}
  local job=$1 prepare=$2 command=$3
  hyperfine -N --runs "$runs" --warmup 1 --export-json "$work/$job.json" \
    --prepare "$prepare" -n before "${command//\{bin\}/$before}" \
    --prepare "$prepare" -n after "${command//\{bin\}/$after}" >/dev/null
  python3 - "$work/$job.json" "$job" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
b, a = results["before"]["mean"], results["after"]["mean"]
print(f"| {sys.argv[2]} | {b:.3f} ± {results['before']['stddev']:.3f} | {a:.3f} ± {results['after']['stddev']:.3f} | {a / b:.3f} |")
PY
}

echo "| job | before (s) | after (s) | after/before |"
echo "|---|---:|---:|---:|"
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
