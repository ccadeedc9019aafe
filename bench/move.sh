#!/usr/bin/env bash
# `linksmith move` across file systems against the naive shell (`cp -a` then `rm -rf` then `ln -s`),
# in one hyperfine run, on the small preset tree of ../shared/bench/gen_tree.py (20k files, 1 GiB).
# The source lives on a journaled ext4 loop image (as peers.sh does, see BASELINES.md), the
# destination is a tmpfs; a prepare step (not timed) restores the source and empties the destination.
# Usage: bench/move.sh [tiny|small]     env: BENCH_WORK (default bench/work), RUNS (default 3)
# Every run is wrapped in flock /tmp/linksmith-bench.lock: others benchmark on this machine too.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
kit=$(cd "$root/../shared/bench" && pwd)
preset=${1:-small}
runs=${RUNS:-3}
work=${BENCH_WORK:-$here/work}
case $preset in
  tiny)  files=2000  dirs=100  size=100M seed=11 img=1G  tmpfs=512m ;;
  small) files=20000 dirs=1000 size=1G   seed=1  img=4G  tmpfs=3g ;;
  *) echo "unknown preset $preset" >&2; exit 2 ;;
esac
command -v hyperfine >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null; }
mkdir -p "$work"
ls_bin=$("$here/publish-aot.sh" "$work/aot")

data=$work/move-data away=$work/move-away state=$work/move-state results=$work/results/move-$preset
mkdir -p "$data" "$away" "$state" "$results"
cleanup() {
  umount "$away" 2>/dev/null || true
  umount "$data" 2>/dev/null || true
  [[ -n ${loop:-} ]] && losetup -d "$loop" 2>/dev/null || true
  rm -f "$work/move-data.img"
}
trap cleanup EXIT
truncate -s "$img" "$work/move-data.img"
mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$work/move-data.img"
loop=$(losetup --find --show --direct-io=on "$work/move-data.img")
mount "$loop" "$data"
mount -t tmpfs -o size=$tmpfs tmpfs "$away"
python3 "$kit/gen_tree.py" --out "$data/tree" --files $files --dirs $dirs --total-size $size --seed $seed --force >/dev/null

src=$data/src
prepare="sh -c 'rm -rf $away/src $src && cp -a $data/tree $src && sync'"
export LINKSMITH_STATE_DIR=$state
flock /tmp/linksmith-bench.lock hyperfine -N --runs "$runs" --export-json "$results/move.json" \
  --prepare "$prepare" \
  -n "linksmith move" "$ls_bin move $src $away" \
  -n "cp -a && rm -rf && ln -s" "sh -c 'cp -a $src $away/src && rm -rf $src && ln -s $away/src $src'"

# linksmith's result is checked once more outside the timing: a link at the old place, the tree intact behind it.
sh -c "rm -rf $away/src $src && cp -a $data/tree $src && sync"
"$ls_bin" move "$src" "$away" >/dev/null
[[ -L $src && $(readlink "$src") == "$away/src" ]] || echo "move.sh: no symlink left at $src" >&2
python3 "$kit/verify.py" copy "$away/src" --index "$data/tree" --deep > "$results/move.verify.json" || true
python3 - "$results/move.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
tool, naive = r["linksmith move"]["median"], r["cp -a && rm -rf && ln -s"]["median"]
print(f"median: linksmith move {tool*1000:.0f} ms, naive shell {naive*1000:.0f} ms, ratio {tool/naive:.2f}")
PY
