#!/usr/bin/env bash
# `linksmith clone --reflink` against `cp -a --reflink=always`, and `linksmith clone` (Hardlink
# Clone) against `cp -al`, in one run, on an XFS loop image (reflink=1) holding a tree of the shared
# generator (../shared/bench/gen_tree.py). Root only (it mounts the image).
#
#   bench/clone-reflink.sh [tiny|small|mid|large]   (default small)
#   env: BENCH_WORK=DIR      image, trees and results (default bench/work, git-ignored)
#        IMG_GB=N            size of the XFS image in GiB (default 4)
#        RUNS=N              timed runs per tool, interleaved (default 3); the median is reported
#        LINKSMITH_CLI=PATH  the binary (default: publish the NativeAOT one, as the other benchmarks)
#
# Every run starts with no DST (removed and synced outside the timing) and a warm page cache (one
# untimed warm-up run of each tool first). After the last run of each tool its result is checked:
# reflink kinds, every file a new inode with the source's size, mtime and bytes (diff -r) and the
# bytes in shared extents (FIEMAP); hard-link kinds, every file the source's inode. Then one timed
# run of each linksmith clone over its own finished result (an update with nothing to do).
# Results: $BENCH_WORK/clone-reflink-<preset>.tsv; bench/REFLINK.md holds a run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
preset=${1:-small}
work=${BENCH_WORK:-$here/work}
# Preset, image, pristine tree and binary: bench/xfs-image.sh.
. "$here/xfs-image.sh"
runs=${RUNS:-3}
xfs_image "xfs-clone-$preset"
dst=$mnt/dst

# KIND (reflink|hardlink) SRC DST: "files=N wrong=N shared_bytes=N data_bytes=N"; wrong counts
# files that are not what the kind promises (another inode's size/mtime, or a shared inode where a
# new one is due; for hard links, any inode other than the source's).
check() {
  python3 - "$@" <<'PY'
import fcntl, os, struct, sys
kind, src, dst = sys.argv[1:4]
FIEMAP = 0xC020660B
def shared(path, size):
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    total, start = 0, 0
    try:
        while True:
            buf = bytearray(struct.pack("=QQLLLL", start, 2**64 - 1 - start, 0, 0, 64, 0) + b"\0" * 56 * 64)
            fcntl.ioctl(fd, FIEMAP, buf)
            mapped = struct.unpack_from("=L", buf, 20)[0]
            if mapped == 0:
                return total
            last = False
            for i in range(mapped):
                logical, _, length, _, _, flags = struct.unpack_from("=QQQQQL", buf, 32 + 56 * i)
                if flags & 0x2000 and logical < size:
                    total += min(length, size - logical)
                last = flags & 1
            start = logical + length
            if last:
                return total
    finally:
        os.close(fd)
count = wrong = shared_bytes = data = 0
for d, _, names in os.walk(src):
    for n in names:
        s = os.path.join(d, n)
        a = os.lstat(s)
        if not os.path.isfile(s) or os.path.islink(s):
            continue
        count += 1
        t = os.path.join(dst, os.path.relpath(s, src))
        try:
            b = os.lstat(t)
        except FileNotFoundError:
            wrong += 1
            continue
        if kind == "hardlink":
            wrong += (a.st_ino, a.st_dev) != (b.st_ino, b.st_dev)
            continue
        wrong += b.st_ino == a.st_ino or b.st_size != a.st_size or b.st_mtime_ns != a.st_mtime_ns
        data += b.st_size
        shared_bytes += shared(t, b.st_size)
print(f"files={count} wrong={wrong} shared_bytes={shared_bytes} data_bytes={data}")
PY
}

out=$work/clone-reflink-$preset.tsv
printf 'tool\tmedian_s\tfiles/s\truns_s\tcheck\n' > "$out"

declare -A command=(
  [linksmith-clone-reflink]="$LINKSMITH_CLI clone --reflink $pristine $dst"
  [cp-a-reflink-always]="cp -a --reflink=always $pristine $dst"
  [linksmith-clone]="$LINKSMITH_CLI clone $pristine $dst"
  [cp-al]="cp -al $pristine $dst"
)
order=(linksmith-clone-reflink cp-a-reflink-always linksmith-clone cp-al)
declare -A times

fresh() { rm -rf "$dst"; sync; }

timed() { # COMMAND -> seconds (timed inside the lock: waiting for another benchmark is not counted)
  CMD=$1 LOG=$work/clone-reflink-last.log flock "$lock" bash -c 'TIMEFORMAT=%3R; { time eval "$CMD" > "$LOG" 2>&1; } 2>&1' \
    || { echo "failed: $1 (see $work/clone-reflink-last.log)" >&2; exit 1; }
}

echo "preset $preset: $files file names on XFS (reflink=1); $runs runs per tool, interleaved; linksmith: $LINKSMITH_CLI"
for tool in "${order[@]}"; do fresh; timed "${command[$tool]}" > /dev/null; done
for ((run = 1; run <= runs; run++)); do
  for tool in "${order[@]}"; do
    fresh
    times[$tool]+="$(timed "${command[$tool]}") "
  done
done

for tool in "${order[@]}"; do
  fresh
  timed "${command[$tool]}" > /dev/null
  case $tool in *reflink*) verdict=$(check reflink "$pristine" "$dst") ;; *) verdict=$(check hardlink "$pristine" "$dst") ;; esac
  read -r median <<< "$(python3 -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.3f}')" ${times[$tool]})"
  printf '%s\t%s\t%s\t%s\t%s\n' "$tool" "$median" "$(python3 -c "print(int($files / max($median, 0.001)))")" "${times[$tool]% }" "$verdict" | tee -a "$out"
  if [[ $tool == linksmith-* ]]; then
    again=$(timed "${command[$tool]}")
    printf '%s\t%s\t%s\t%s\t%s\n' "$tool (update, nothing changed)" "$again" "$(python3 -c "print(int($files / max($again, 0.001)))")" "$again" "one run" | tee -a "$out"
  fi
done
fresh

python3 - "$out" <<'PY'
import csv, sys
rows = {r["tool"]: float(r["median_s"]) for r in csv.DictReader(open(sys.argv[1]), delimiter="\t")}
for ours, peer in (("linksmith-clone-reflink", "cp-a-reflink-always"), ("linksmith-clone", "cp-al")):
    print(f"{ours} / {peer}: {rows[ours] / rows[peer]:.2f}x")
PY
echo "results: $out (the image stays mounted at $mnt; umount it and remove $img when done)"
