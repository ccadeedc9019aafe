#!/usr/bin/env bash
# Tree engine against its peers, in one run, on ../shared/bench trees (gen_tree.py):
#   clone  vs cp -al, rsync --link-dest            copy vs cp -a, tar | tar, rsync -aH
#   backup vs cp -al PREV NEW && rsync -a --delete, rsync -aH --link-dest=PREV
#   mirror of a --mutate'd tree vs rsync -aH --delete
# Usage: bench/trees.sh [tiny|small|large]      (env: BENCH_WORK, CACHE, RUNS, MRUNS, FS as peers.sh)
# Every result tree is checked with verify.py; peak memory of each linksmith job is measured once
# with /usr/bin/time. Results: $BENCH_WORK/results/<preset>-<cache>/ and a table on stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
kit=$(cd "$root/../shared/bench" && pwd)
preset=${1:-small}
export BENCH_WORK=${BENCH_WORK:-$here/work}
mkdir -p "$BENCH_WORK"
apt_need() { command -v "$1" >/dev/null 2>&1 || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }; }
for t in hyperfine:hyperfine rsync:rsync jdupes:jdupes rdfind:rdfind rmlint:rmlint fdupes:fdupes symlinks:symlinks; do apt_need "${t%%:*}" "${t##*:}"; done
[[ -x /usr/bin/time ]] || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }

ls_bin=$("$here/publish-aot.sh" "$BENCH_WORK/aot")
shim=$BENCH_WORK/backup-shim.sh
# The harness wants the snapshot at {dst}; linksmith makes REPO/<UTC time>. With REPO = the folder
# of {dst}, the snapshot is made at {dst}'s depth (so relative outer links, rewritten for their
# depth, stay right) and renaming it to {dst} is one syscall.
cat > "$shim" <<SH
#!/bin/sh
set -e
repo=\$(dirname "\$2")
snapshot=\$("$ls_bin" backup --json --prev "\$3" "\$1" "\$repo" | sed -n 's/.*"snapshot": "\\(.*\\)".*/\\1/p')
mv "\$snapshot" "\$2"
SH
chmod +x "$shim"

lock=/tmp/linksmith-bench.lock
export PEERS=${PEERS:-'.'}
export TOOL_CLONE="$ls_bin clone {src} {dst}"
export TOOL_COPY="$ls_bin copy {src} {dst}"
export TOOL_BACKUP="$shim {src} {dst} {prev}"
flock "$lock" "$kit/peers.sh" "$preset" clone copy backup

cache=${CACHE:-warm}
data=$BENCH_WORK/data/$preset
results=$BENCH_WORK/results/$preset-$cache
case $preset in tiny) mruns=${MRUNS:-2} ;; small) mruns=${MRUNS:-3} ;; *) mruns=${MRUNS:-2} ;; esac
flush=sync; [[ $cache == cold ]] && flush='sync; echo 3 > /proc/sys/vm/drop_caches'

# Mirror: DST starts as a copy of state A (the tree), SRC is state B (the mutated tree_b, made as
# peers.sh makes it; peers.sh deletes its own after the backup task).
out=$data/out_mirror
if [[ ! -f $data/tree_b.index.json ]]; then
  rm -rf "$data/tree_b"; cp -a "$data/tree" "$data/tree_b"; cp "$data/tree.manifest.json" "$data/tree_b.manifest.json"
  python3 "$kit/gen_tree.py" --mutate "$data/tree_b" --seed 7 >/dev/null
fi
echo "== mirror ($preset, $cache)"
mirror_run() {
  local name=$1 cmd=$2
  flock "$lock" hyperfine -N --runs "$mruns" --export-json "$results/mirror.$name.json" -n "$name" \
    --prepare "sh -c 'rm -rf $out && cp -a $data/tree $out && $flush'" "$cmd" 2>&1 | grep -E 'Time|Range' || true
  rm -rf "$out"; cp -a "$data/tree" "$out"; sh -c "$cmd" >/dev/null
  python3 "$kit/verify.py" copy "$out" --index "$data/tree_b" --deep > "$results/mirror.$name.verify.json" || true
  rm -rf "$out"
}
mirror_run tool "$ls_bin mirror $data/tree_b $out"
mirror_run rsync_aH_delete "rsync -aH --delete $data/tree_b/ $out/"

# Peak memory of each linksmith job, one run each.
mem() { local name=$1; shift; /usr/bin/time -f "%M" -o "$results/$name.maxrss" "$@" >/dev/null 2>&1 || true; echo "$name $(cat "$results/$name.maxrss") KiB"; }
o=$data/out_mem
rm -rf "$o"; mem copy "$ls_bin" copy "$data/tree" "$o"; rm -rf "$o"
mem clone "$ls_bin" clone "$data/tree" "$o"; rm -rf "$o"
cp -a "$data/tree" "$o"; mem mirror "$ls_bin" mirror "$data/tree_b" "$o"; rm -rf "$o"
mkdir -p "$o.repo"; mem backup "$ls_bin" backup --prev "$data/tree" "$data/tree_b" "$o.repo"; rm -rf "$o.repo"

rm -rf "$data/tree_b" "$data/tree_b.manifest.json" "$data/tree_b.index.json"
python3 "$here/trees_report.py" "$results" "$data"
