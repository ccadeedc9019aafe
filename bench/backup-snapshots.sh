#!/usr/bin/env bash
# Issue 14, item 8: a backup of the mutated tree against its previous snapshot, with the manifest
# on, against rsync -aH --link-dest=PREV and cp -al PREV NEW && rsync -a --delete, in one run;
# then `snapshots verify` of one snapshot against `sha256sum -c` of the same files.
# Usage: bench/backup-snapshots.sh [tiny|small|large]
#   env: BENCH_WORK=DIR (default bench/work), RUNS=n (hyperfine runs, default 3),
#        FS=loop|plain (loop, the default: the trees on a journaled ext4 image, IMG_GB GiB
#        (default 24), on a loop device, as ../shared/bench/peers.sh does and for its reason),
#        BENCH_KIT=DIR (default ../shared/bench; a worktree elsewhere points it at the kit).
# The previous snapshot is made by linksmith (so it has a manifest) and is PREV for every tool.
# Bytes written: the summary's `bytes`, and `df -B1` used before/after one extra run of each tool
# (after sync). Renames linked: files of the new snapshot named renamed_* (gen_tree.py's renames)
# that share their inode with a file of PREV. Results: $BENCH_WORK/results/snapshots-<preset>/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
kit=$(cd "${BENCH_KIT:-$root/../shared/bench}" && pwd)
preset=${1:-small}
runs=${RUNS:-3}
export BENCH_WORK=${BENCH_WORK:-$here/work}
case $preset in
  tiny) files=2000 dirs=100 size=100M seed=11 ;;
  small) files=20000 dirs=1000 size=1G seed=1 ;;
  large) files=200000 dirs=10000 size=4G seed=2 ;;
  *) echo "unknown preset $preset" >&2; exit 2 ;;
esac
for t in hyperfine rsync sha256sum python3; do
  command -v "$t" >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$t" >/dev/null; }
done

data=$BENCH_WORK/data-snapshots
mkdir -p "$data"
if [[ ${FS:-loop} == loop ]] && ! mountpoint -q "$data"; then
  img=$BENCH_WORK/.snapshots.img
  [[ -f $img ]] || { truncate -s "${IMG_GB:-24}G" "$img"; mkfs.ext4 -q -F -i 8192 -E lazy_itable_init=0,lazy_journal_init=0 "$img"; }
  loop=$(losetup -j "$img" | cut -d: -f1 | head -1)
  [[ -n $loop ]] || loop=$(losetup --find --show --direct-io=on "$img")
  mount "$loop" "$data"
fi

ls_bin=${LINKSMITH:-$("$here/publish-aot.sh" "$BENCH_WORK/aot")}
results=$BENCH_WORK/results/snapshots-$preset
mkdir -p "$results"
d=$data/$preset
tree=$d/tree tree_b=$d/tree_b repo=$d/repo out=$d/out
mkdir -p "$d"
if [[ ! -f $tree.manifest.json ]]; then
  python3 "$kit/gen_tree.py" --out "$tree" --files $files --dirs $dirs --total-size $size --seed $seed --force >/dev/null
fi
if [[ ! -d $tree_b ]]; then
  cp -a "$tree" "$tree_b"; cp "$tree.manifest.json" "$tree_b.manifest.json"
  python3 "$kit/gen_tree.py" --mutate "$tree_b" --seed 7 | tee "$results/mutation.json"
fi
if [[ ! -d $repo ]]; then
  "$ls_bin" backup "$tree" "$repo" --json > "$results/first-backup.json"
fi
first=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['snapshot'])" "$results/first-backup.json")
prev_name=$(basename "$first")
# Everything in REPO but the previous snapshot, its manifest and the lock goes before each run.
reset="find $repo -mindepth 1 -maxdepth 1 ! -name $prev_name ! -name $prev_name.linksmith-snapshot ! -name .linksmith-backup.lock -exec rm -rf {} +; rm -rf $out; sync"
warm() { find "$@" -type f -print0 | xargs -0 -r cat > /dev/null; }
warm "$tree_b" "$first"

{
  echo "date: $(date -Is)"; echo "kernel: $(uname -r)"; echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2) x $(nproc)"
  echo "data fs: $(findmnt -no SOURCE,FSTYPE,OPTIONS -T "$data")"; echo "linksmith: $("$ls_bin" --version)"
  echo "rsync: $(rsync --version | head -1)"; echo "hyperfine: $(hyperfine --version)"
} > "$results/environment.txt"

echo "== backup of the mutated tree against its previous snapshot ($preset, $runs runs)"
hyperfine -N --runs "$runs" --export-json "$results/backup.json" \
  --prepare "sh -c '$reset'" \
  -n linksmith "$ls_bin backup $tree_b $repo" \
  -n rsync_aH_link_dest "rsync -aH --link-dest=$first $tree_b/ $out/" \
  -n cp_al_then_rsync "sh -c 'cp -al $first $out && rsync -a --delete $tree_b/ $out/'" 2>&1 | grep -E '^ *(Time|Range)|Benchmark' || true

# One more run of each, for bytes written (df) and renames linked.
used() { sync; df -B1 --output=used "$data" | tail -1; }
renames_linked() {
  python3 - "$1" "$first" <<'PY'
import os, sys
new, prev = sys.argv[1], sys.argv[2]
inodes = set()
for root, _, names in os.walk(prev):
    for n in names:
        inodes.add(os.lstat(os.path.join(root, n)).st_ino)
total = linked = 0
for root, _, names in os.walk(new):
    for n in names:
        if n.startswith("renamed_"):
            total += 1
            linked += os.lstat(os.path.join(root, n)).st_ino in inodes
print(f"{linked} {total}")
PY
}
printf '%-22s %16s %16s %20s\n' tool summary_bytes df_bytes renames_linked | tee "$results/bytes.txt"
for peer in rsync_aH_link_dest cp_al_then_rsync; do
  sh -c "$reset"; before=$(used)
  case $peer in
    rsync_aH_link_dest) rsync -aH --link-dest="$first" "$tree_b/" "$out/" ;;
    cp_al_then_rsync) cp -al "$first" "$out" && rsync -a --delete "$tree_b/" "$out/" ;;
  esac
  after=$(used)
  read -r linked total < <(renames_linked "$out")
  printf '%-22s %16s %16s %20s\n' "$peer" - $((after - before)) "$linked/$total" | tee -a "$results/bytes.txt"
done
rm -rf "$out"
# linksmith last: its snapshot stays for the verify below.
sh -c "$reset"; before=$(used)
summary=$("$ls_bin" backup "$tree_b" "$repo" --json)
after=$(used)
snapshot=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['snapshot'])" "$summary")
echo "$summary" > "$results/backup-summary.json"
read -r linked total < <(renames_linked "$snapshot")
printf '%-22s %16s %16s %20s\n' linksmith "$(python3 -c "import json,sys; s=json.loads(sys.argv[1]); print(s['bytes'], '(renamed', s['renamed'], end=')')" "$summary")" $((after - before)) "$linked/$total" | tee -a "$results/bytes.txt"

echo "== verify one snapshot: linksmith snapshots verify vs sha256sum -c ($runs runs)"
# The same files as the manifest lists, in sha256sum's format (names with a backslash, tab or
# newline are left out of both: sha256sum would need its own escapes for them).
python3 - "$snapshot.linksmith-snapshot" "$results/sha256sums" <<'PY'
import sys
src, dst = sys.argv[1], sys.argv[2]
with open(src, encoding="utf-8", errors="surrogateescape") as f, open(dst, "w", encoding="utf-8", errors="surrogateescape") as o:
    next(f)
    for line in f:
        path, size, mtime, sha = line.rstrip("\n").split("\t")
        if "\\" not in path:
            o.write(f"{sha}  {path}\n")
PY
warm "$snapshot"
hyperfine -N --runs "$runs" --export-json "$results/verify.json" \
  -n linksmith_verify "$ls_bin snapshots verify $repo $(basename "$snapshot")" \
  -n sha256sum_c "sh -c 'cd $snapshot && sha256sum -c --quiet $results/sha256sums'" 2>&1 | grep -E '^ *(Time|Range)|Benchmark' || true
echo "results in $results"
