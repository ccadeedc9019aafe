#!/usr/bin/env bash
# `linksmith dedupe --apply` against jdupes -rL, rdfind, hardlink -t and rmlint on the shared generated
# trees, in the shared harness (../shared/bench/peers.sh: same reset, same verify.py checks).
#
#   bench/dedupe.sh [small|large]          (default small)
#   env: BENCH_WORK=DIR  trees and results (default bench/work, git-ignored)
#        FS=plain|loop   passed to peers.sh (default plain: dedupe creates no inodes, so the
#                        root file system's slow inode reuse does not touch the timed region)
#        LINKSMITH_CLI=PATH  an existing AOT binary (default: publish one into $BENCH_WORK/aot)
#        PEERS=regex     which peers (default: the four named above and linksmith)
#        CACHE=warm|cold passed to peers.sh (cold drops the page cache before every timed run)
#        RMLINT_RUNS=N   timed runs of rmlint, whose generated script is slow (default 1)
#        SKIP_PEERS=1    only measurements 3 and 4 (the tree must exist)
#        SID=DIR         a Debian sid chroot holding czkawka-cli, jdupes 1.31 and rdfind 1.8 (default
#                        /var/tmp/linksmith-sid; made with debootstrap on first use, a few minutes)
#        SID_PEERS=0     leave out the sid peers
#
# Four measurements, each under `flock /tmp/linksmith-bench.lock` (the machine is shared):
#   1. peers.sh dedup with linksmith --no-cache    -> results/<preset>-<cache>-nocache
#   2. peers.sh dedup with linksmith and its cache -> results/<preset>-<cache>-cache (the harness
#      resets the tree with rsync before each run, so relinked paths come back as new files)
#   3. report-only rerun over the unchanged tree with a filled cache (hyperfine)
#   4. peak memory (max RSS, /usr/bin/time) of one --apply run and of one report-only run, in bytes
#      per file scanned (the run's statistics.filesScanned), against issue 16's 200-byte target
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
preset=${1:-small}
work=${BENCH_WORK:-$here/work}
kit=${BENCH_KIT:-$root/../shared/bench}
[[ -x $kit/peers.sh ]] || kit=/work/shared/bench
export BENCH_WORK=$work FS=${FS:-plain}
lock=/tmp/linksmith-bench.lock
mkdir -p "$work"

if [[ -z "${LINKSMITH_CLI:-}" ]]; then
  LINKSMITH_CLI=$("$root/bench/publish-aot.sh" "$work/aot")
fi
state=$work/state
bin="LINKSMITH_STATE_DIR=$state $LINKSMITH_CLI"
peers=${PEERS:-'tool|jdupes_rL|rdfind|hardlink_t|rmlint_sh'}
cache=${CACHE:-warm}
export CACHE=$cache RMLINT_RUNS=${RMLINT_RUNS:-1}

run_peers() { # RESULT_SUFFIX TOOL_COMMAND
  rm -rf "$state"
  # peers.sh adds to its results folder: drop an earlier pass's dedup results (a peer left out
  # of this pass would otherwise be reported with the old figures).
  rm -f "$work/results/$preset-$cache"/dedup.*
  flock "$lock" env PEERS="$peers" TOOL_DEDUP="$2" "$kit/peers.sh" "$preset" dedup
  rm -rf "$work/results/$preset-$cache-$1"
  cp -r "$work/results/$preset-$cache" "$work/results/$preset-$cache-$1"
}

# The newer peers (czkawka 12, the fastest measurable one; jdupes 1.31; rdfind 1.8) are packaged
# only in Debian sid: they run in a sid chroot, with the bench folder bind-mounted at the same
# path so {dir} means the same tree. Each goes through peers.sh as its "tool" (same reset, same
# verify.py), into results/<preset>-<cache>-<name>.
sid=${SID:-/var/tmp/linksmith-sid}
sid_setup() {
  if [[ ! -x $sid/usr/bin/czkawka_cli ]]; then
    [[ -d $sid/usr ]] || debootstrap --variant=minbase sid "$sid" http://deb.debian.org/debian >/dev/null
    cp /etc/resolv.conf "$sid/etc/"
    # The mirror can serve a sid Release file past its Valid-Until date.
    chroot "$sid" bash -c 'apt-get -o Acquire::Check-Valid-Until=false update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get -o Acquire::Check-Valid-Until=false install -y -qq czkawka-cli jdupes rdfind >/dev/null'
  fi
  mkdir -p "$sid$work"
  # --rbind: with FS=loop the data folder is a mount of its own below $work.
  mountpoint -q "$sid$work" || mount --rbind "$work" "$sid$work"
  mountpoint -q "$sid/proc" || mount -t proc proc "$sid/proc"
  trap 'umount -R "$sid$work" 2>/dev/null; umount "$sid/proc" 2>/dev/null || true' EXIT
  { chroot "$sid" czkawka_cli --version | head -1; chroot "$sid" jdupes --version | head -1; chroot "$sid" rdfind -version; } > "$work/sid-versions.txt"
}

if [[ "${SKIP_PEERS:-0}" != 1 ]]; then
  run_peers nocache "$bin dedupe --apply --no-cache {dir}"
  # rmlint's speed does not change between passes, and it is slow (2 min a run on large): once.
  peers=${peers//|rmlint_sh/} run_peers cache "$bin dedupe --apply {dir}"
  if [[ "${SID_PEERS:-1}" != 0 ]]; then
    sid_setup
    peers=tool run_peers czkawka "chroot $sid czkawka_cli dup -d {dir} -m 1 -D HARD -H -N -M"
    peers=tool run_peers jdupes131 "chroot $sid jdupes -q -rL {dir}"
    peers=tool run_peers rdfind18 "chroot $sid rdfind -makehardlinks true -outputname /tmp/rdfind18.results.txt {dir}"
  fi
fi

tree=$work/data/$preset/tree
echo "=== report-only rerun with a filled cache over the unchanged tree"
rm -rf "$state"
flock "$lock" bash -c "$bin dedupe --json $tree > $work/rerun-first.json"
flock "$lock" hyperfine --style basic --warmup 1 --runs 5 --export-json "$work/results/$preset-rerun.json" \
  -n 'linksmith dedupe (report, cache filled)' "$bin dedupe $tree > /dev/null" \
  -n 'linksmith dedupe (report, --no-cache)' "$bin dedupe --no-cache $tree > /dev/null" \
  -n 'jdupes -r (report)' "jdupes -q -r $tree > /dev/null" 2>&1 | grep -E 'Time|Range|^Benchmark'
flock "$lock" bash -c "$bin dedupe --json $tree" > "$work/rerun-second.json"
python3 - "$work/rerun-second.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("rerun statistics:", d["statistics"], "savedBytes:", d["savedBytes"])
PY

echo "=== peak memory (issue 16: at most 200 bytes per file scanned)"
# "Files scanned" as the run counts them (statistics.filesScanned: regular files of 1 byte or
# more), from the report of the unchanged tree above; find's count (empty files too) beside it.
files=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["statistics"]["filesScanned"])' "$work/rerun-second.json")
echo "files scanned: $files (find -type f: $(find "$tree" -type f | wc -l))"
rm -rf "$state"
flock "$lock" rsync -aH --delete "$tree/" "$work/data/$preset/work/" 2>/dev/null || cp -a "$tree" "$work/data/$preset/work"
for mode in "--no-cache" "--apply --no-cache"; do
  target=$tree; [[ $mode == *--apply* ]] && target=$work/data/$preset/work
  rss=$(flock "$lock" bash -c "LINKSMITH_STATE_DIR=$state /usr/bin/time -f %M $LINKSMITH_CLI dedupe $mode $target 2>&1 >/dev/null | tail -1")
  per=$(( rss * 1024 / files ))
  echo "dedupe $mode: max RSS ${rss} KiB for $files files scanned = ${per} bytes per file scanned ($([[ $per -le 200 ]] && echo 'meets' || echo 'misses') the 200-byte target)"
done
rm -rf "$work/data/$preset/work"

for r in $cache-nocache $cache-cache; do
  echo "=== $r"
  python3 "$kit/report.py" "$work/results/$preset-$r" | grep -iE 'dedup|tool|saved|merge|split' | head -40 || true
done
echo "=== every peer in one table"
python3 "$here/dedupe_table.py" "$work/results" "$preset-$cache"
