#!/usr/bin/env bash
# `linksmith dedupe --reflink --apply` against duperemove -dr (with and without --hashfile) and
# jdupes -B -r, in one run, on an XFS loop image (reflink=1) holding a tree of the shared generator
# (../shared/bench/gen_tree.py). Root only (it mounts the image).
#
#   bench/dedupe-reflink.sh [tiny|small|mid|large]   (default small)
#   env: BENCH_WORK=DIR      image, trees and results (default bench/work, git-ignored)
#        IMG_GB=N            size of the XFS image in GiB (default 4; it holds the tree twice)
#        LINKSMITH_CLI=PATH  the binary (default: publish the NativeAOT one, as the other benchmarks)
#        RUNS=N              cold-and-warm rounds per tool (default 3; the summary gives medians)
#
# Each tool gets a fresh copy of the pristine tree (cp -a --reflink=never, so nothing is shared),
# one timed cold-cache run (page cache dropped first), then a warm rerun over its own result. After
# each run: bytes freed (df used before - after, after sync), bytes in shared extents over all
# files (FIEMAP), and a byte-for-byte comparison of every file with the pristine tree (a wrong
# share would show there). Results: $BENCH_WORK/reflink-<preset>.tsv; bench/REFLINK.md holds a run.
#
# duperemove looks only at files of at least its block size (128 KiB by default: 3,815 of the
# large preset's 206,160 names) and so frees less than the tools that look at every file. The
# `linksmith-128k` rows run linksmith over those same files (`--min-size 128K`): the comparison
# with duperemove at equal savings.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
preset=${1:-small}
work=${BENCH_WORK:-$here/work}
# Preset, image, pristine tree and binary: bench/xfs-image.sh.
. "$here/xfs-image.sh"
xfs_image "xfs-$preset"
tree=$mnt/tree
expected=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['dedup_content_only']['savings_bytes'])" "$pristine.manifest.json")

# Bytes in extents FIEMAP flags shared, each inode once, clipped to the file size.
shared_bytes() {
  python3 - "$1" <<'PY'
import fcntl, os, struct, sys
FIEMAP = 0xC020660B
seen, total = set(), 0
for d, _, names in os.walk(sys.argv[1]):
    for n in names:
        p = os.path.join(d, n)
        st = os.lstat(p)
        if not os.path.isfile(p) or os.path.islink(p) or st.st_ino in seen:
            continue
        seen.add(st.st_ino)
        try:
            fd = os.open(p, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            start = 0
            while True:
                buf = bytearray(struct.pack("=QQLLLL", start, 2**64 - 1 - start, 0, 0, 64, 0) + b"\0" * 56 * 64)
                fcntl.ioctl(fd, FIEMAP, buf)
                mapped = struct.unpack_from("=L", buf, 20)[0]
                if mapped == 0:
                    break
                last = False
                for i in range(mapped):
                    logical, physical, length, _, _, flags = struct.unpack_from("=QQQQQL", buf, 32 + 56 * i)
                    if flags & 0x2000 and logical < st.st_size:
                        total += min(length, st.st_size - logical)
                    last = flags & 1
                start = logical + length
                if last:
                    break
        finally:
            os.close(fd)
print(total)
PY
}

used() { sync -f "$mnt"; df -B1 --output=used "$mnt" | tail -1 | tr -d ' '; }

reset() {
  rm -rf "$tree" "$work/state-reflink" "$work/duperemove.hash"
  cp -a --reflink=never "$pristine" "$tree"
  sync
}

out=$work/reflink-$preset.tsv
printf 'tool\trun\tseconds\tfiles/s\tfreed_bytes\tshared_extent_bytes\tcontent_ok\n' > "$out"

measure() { # NAME RUN COMMAND
  local name=$1 run=$2 cmd=$3 before after t0 t1 secs ok
  before=$(used)
  # The clock starts once the bench lock is held (and, cold, the cache dropped), so a wait for
  # another job's benchmark is not counted.
  local drop=:; [[ $run == cold ]] && drop='sync; echo 3 > /proc/sys/vm/drop_caches'
  flock "$lock" bash -c "$drop; t0=\$(date +%s.%N); $cmd; rc=\$?; echo \"\$t0 \$(date +%s.%N)\" > $work/reflink-$name-$run.time; exit \$rc" \
    > "$work/reflink-$name-$run.log" 2>&1 || echo "  ($name exited $?; see $work/reflink-$name-$run.log)"
  read -r t0 t1 < "$work/reflink-$name-$run.time"
  after=$(used)
  secs=$(python3 -c "print(f'{$t1 - $t0:.2f}')")
  ok=$(diff -r --no-dereference -q "$pristine" "$tree" > "$work/reflink-$name-$run.diff" 2>&1 && echo yes || echo NO)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$run" "$secs" "$(python3 -c "print(int($files / max($secs, 0.01)))")" \
    "$((before - after))" "$(shared_bytes "$tree")" "$ok" | tee -a "$out"
}

state="LINKSMITH_STATE_DIR=$work/state-reflink"
echo "preset $preset: $files file names, content-only savings in the manifest: $expected bytes"
# Each round runs every tool once, cold then warm, so a slow spell of the machine touches every
# tool alike rather than one tool's rounds.
for ((round = 1; round <= ${RUNS:-3}; round++)); do
  reset; measure linksmith cold "$state $LINKSMITH_CLI dedupe --reflink --apply $tree"
  measure linksmith warm "$state $LINKSMITH_CLI dedupe --reflink --apply $tree"
  reset; measure linksmith-128k cold "$state $LINKSMITH_CLI dedupe --reflink --apply --min-size 128K $tree"
  measure linksmith-128k warm "$state $LINKSMITH_CLI dedupe --reflink --apply --min-size 128K $tree"
  reset; measure duperemove cold "duperemove -dr -q $tree"
  measure duperemove warm "duperemove -dr -q $tree"
  reset; measure duperemove-hashfile cold "duperemove -dr -q --hashfile=$work/duperemove.hash $tree"
  measure duperemove-hashfile warm "duperemove -dr -q --hashfile=$work/duperemove.hash $tree"
  reset; measure jdupes-B cold "jdupes -B -r -q $tree"
  measure jdupes-B warm "jdupes -B -r -q $tree"
done
rm -rf "$tree"
echo "medians over ${RUNS:-3} rounds (seconds; freed and shared bytes of the last round; content as before in every round?):"
python3 - "$out" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
for key in dict.fromkeys((r["tool"], r["run"]) for r in rows):
    mine = [r for r in rows if (r["tool"], r["run"]) == key]
    print("%-20s %-5s median %7.2f s  (%s)  freed %s  shared %s  content ok: %s" % (
        key[0], key[1], statistics.median(float(r["seconds"]) for r in mine),
        " ".join(r["seconds"] for r in mine), mine[-1]["freed_bytes"], mine[-1]["shared_extent_bytes"],
        "yes" if all(r["content_ok"] == "yes" for r in mine) else "NO"))
PY
echo "results: $out (the image stays mounted at $mnt; umount it and remove $img when done)"
