# Sourced by the reflink benchmarks (bench/dedupe-reflink.sh, bench/clone-reflink.sh): one way to
# set up what both need. Expects: here, root, preset, work; sets kit, lock, gen, LINKSMITH_CLI,
# mnt, img, pristine, files.
#   env: BENCH_WORK, BENCH_KIT, IMG_GB (default 4), LINKSMITH_CLI (default: publish NativeAOT)
kit=${BENCH_KIT:-$root/../shared/bench}
[[ -f $kit/gen_tree.py ]] || kit=/work/shared/bench
lock=/tmp/linksmith-bench.lock
[[ $(id -u) == 0 ]] || { echo "needs root (loop mount)" >&2; exit 3; }
mkdir -p "$work"

case $preset in
  tiny)  gen=(--files 2000 --dirs 100 --total-size 100M) ;;
  small) gen=(--files 20000 --dirs 1000 --total-size 1G) ;;
  mid)   gen=(--files 60000 --dirs 3000 --total-size 2G) ;;
  large) gen=(--files 200000 --dirs 10000 --total-size 4G) ;;
  *) echo "unknown preset $preset" >&2; exit 2 ;;
esac

if [[ -z "${LINKSMITH_CLI:-}" ]]; then
  LINKSMITH_CLI=$("$root/bench/publish-aot.sh" "$work/aot")
fi

# xfs_image NAME: an XFS image (reflink=1, IMG_GB GiB) mounted at $work/NAME (kept mounted between
# runs, the image file at $img), holding the preset's pristine tree at $mnt/pristine (generated
# once); $files its file count.
xfs_image() {
  mnt=$work/$1
  img=$work/.$1.img
  if ! mountpoint -q "$mnt"; then
    mkdir -p "$mnt"
    rm -f "$img"
    truncate -s "${IMG_GB:-4}G" "$img"
    mkfs.xfs -q -m reflink=1 "$img"
    mount -o loop "$img" "$mnt"
  fi
  pristine=$mnt/pristine
  if [[ ! -f $pristine.manifest.json ]]; then
    python3 "$kit/gen_tree.py" --out "$pristine" "${gen[@]}" --dup-fraction 0.2 --seed 1 --force >/dev/null
  fi
  files=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['regular_file_paths'])" "$pristine.manifest.json")
}
