#!/usr/bin/env bash
# Installs what packaging/build.sh made in OUTDIR and runs it, as a user would:
#   - the dotnet tool from the package folder into a temporary tool path;
#   - the .deb with dpkg -i, then dpkg -r, checking that nothing of it is left.
# Each runs `linksmith --version` and one real command (a symlink made and inspected).
#   - the win-x64 zip: its scoop and winget manifests checked against their schemas and the zip's
#     SHA-256 (check-manifests.py), and the zipped linksmith.exe run under Wine: the host's `wine`
#     if there is one, else the chroot .ci/wine-tests.sh made (Wine with reparse points); with
#     neither, that run is skipped and the reason printed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(cd "${1:-$root/artifacts/packages}" && pwd)
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

exercise() { # the installed command, as $1
  local dir=$work/try.$RANDOM
  mkdir -p "$dir" && echo data >"$dir/target"
  [[ $("$1" --version) == "$version"* ]] || { echo "packaging/test.sh: $1 --version is not $version" >&2; return 1; }
  (cd "$dir" && "$1" symlink target link >/dev/null && "$1" info link | grep "symbolic link" >/dev/null) ||
    { echo "packaging/test.sh: $1 symlink/info failed" >&2; return 1; }
  [[ $(readlink "$dir/link") == target ]]
}

echo "== dotnet tool install Linksmith.Tool from $out"
dotnet tool install Linksmith.Tool --version "$version" --add-source "$out" --tool-path "$work/tools" >/dev/null
exercise "$work/tools/linksmith"
echo "   tool: ok"

echo "== dpkg -i linksmith_${version}_amd64.deb"
if dpkg -s linksmith >/dev/null 2>&1; then
  echo "packaging/test.sh: a linksmith package is already installed; not touching it" >&2
  exit 1
fi
dpkg -i "$out/linksmith_${version}_amd64.deb" >/dev/null
files=$(dpkg -L linksmith | grep -v '^/\.$')
exercise /usr/bin/linksmith
man -w linksmith >/dev/null
bash -c 'source /usr/share/bash-completion/completions/linksmith; complete -p linksmith' >/dev/null
dpkg -r linksmith >/dev/null
left=()
while read -r path; do
  # Folders the system owns (/usr/bin, /usr/share/man/man1, …) stay; the package's own go.
  [[ -e $path && ! -d $path ]] && left+=("$path")
  [[ -d $path && $path == */linksmith* ]] && left+=("$path")
done <<<"$files"
if ((${#left[@]})); then
  echo "packaging/test.sh: left after dpkg -r: ${left[*]}" >&2
  exit 1
fi
echo "   deb: installed, ran, removed, nothing left"

zip_name=linksmith-$version-win-x64.zip
echo "== $zip_name: scoop and winget manifests"
# Debian's python3-jsonschema and python3-yaml (.ci/run installs them) when the python3 on PATH lacks them.
python=python3
python3 -c 'import jsonschema, yaml' 2>/dev/null || python=/usr/bin/python3
"$python" "$root/packaging/check-manifests.py" "$out" "$version"

echo "== $zip_name: linksmith.exe under Wine"
# What the exe runs: --version, a hard link checked on disk, and (where Wine makes symbolic
# links) a symlink inspected with `info`. $1: how to start wine; $2: the folder, as Wine sees it.
run_exe() {
  local dir=$1 shown=$2 wine=("${@:3}")
  mkdir -p "$dir" && echo data >"$dir/target"
  (cd "$dir" && unzip -q "$out/$zip_name" linksmith.exe)
  local v
  v=$(cd "$dir" && "${wine[@]}" sh -c "cd '$shown' && wine ./linksmith.exe --version" 2>/dev/null | tr -d '\r')
  [[ $v == "$version"* ]] || { echo "packaging/test.sh: linksmith.exe --version under Wine printed '$v', not $version" >&2; return 1; }
  "${wine[@]}" sh -c "cd '$shown' && wine ./linksmith.exe mklink /H hard target" >/dev/null 2>&1 ||
    { echo "packaging/test.sh: linksmith.exe mklink /H failed under Wine" >&2; return 1; }
  [[ $(stat -c %h "$dir/target") == 2 && $(stat -c %i "$dir/target") == $(stat -c %i "$dir/hard") ]] ||
    { echo "packaging/test.sh: linksmith.exe mklink /H made no hard link" >&2; return 1; }
  echo "   win-x64: $v; mklink /H made a hard link"
}
if command -v wine >/dev/null 2>&1; then
  # The host's Wine, in the prefix `LINKSMITH_WINE=system .ci/wine-tests.sh` uses.
  export WINEPREFIX=${WINEPREFIX:-$HOME/.wine-linksmith} WINEDEBUG=-all WINEDLLOVERRIDES=winedbg.exe=d
  if [[ ! -f $WINEPREFIX/system.reg ]]; then
    mkdir -p "$WINEPREFIX"
    WINEDLLOVERRIDES="mscoree,mshtml=;winedbg.exe=d" wine wineboot --init >/dev/null 2>&1
    wineserver -w
  fi
  echo "   $(wine --version 2>/dev/null) (the host's)"
  run_exe "$work/wine" "$work/wine" timeout -k 10 120 env
  wineserver -k 2>/dev/null || true
elif chroot_dir=${LINKSMITH_WINE_CHROOT:-/var/tmp/linksmith-wine-chroot} &&
  [[ $(id -u) == 0 && -f $chroot_dir/root/linksmith-wine-ready ]]; then
  # The Wine 10 with reparse points that .ci/wine-tests.sh made (CI's ./test.sh runs it first).
  # Its lock, and the mounts it needs, unmounted again on exit.
  exec 9>"$chroot_dir.lock"
  flock -w 1800 9 || { echo "packaging/test.sh: another run holds $chroot_dir.lock" >&2; exit 1; }
  mounted=()
  cleanup() {
    local i
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" || true; done
    rm -rf "$work" "${inside:-}"
  }
  trap cleanup EXIT
  for m in proc dev dev/pts; do
    mountpoint -q "$chroot_dir/$m" && continue
    case $m in proc) mount -t proc proc "$chroot_dir/proc" ;; *) mount --bind "/$m" "$chroot_dir/$m" ;; esac
    mounted+=("$chroot_dir/$m")
  done
  inside=$(mktemp -d "$chroot_dir/tmp/linksmith-package.XXXXXX")
  in_chroot=(timeout -k 10 120 chroot "$chroot_dir" env -i HOME=/root PATH=/usr/bin:/bin WINEPREFIX=/root/.wine
    WINEDEBUG=-all WINEDLLOVERRIDES=winedbg.exe=d LANG=C.UTF-8)
  echo "   $("${in_chroot[@]}" wine --version 2>/dev/null) (reparse points; $chroot_dir)"
  run_exe "$inside" "${inside#"$chroot_dir"}" "${in_chroot[@]}"
  "${in_chroot[@]}" sh -c "cd '${inside#"$chroot_dir"}' && wine ./linksmith.exe symlink target link && wine ./linksmith.exe info link" 2>/dev/null |
    tr -d '\r' | grep -q 'kind: *symbolic link to a file' ||
    { echo "packaging/test.sh: linksmith.exe symlink/info failed under Wine" >&2; exit 1; }
  echo "   win-x64: symlink made and shown by info"
  "${in_chroot[@]}" timeout 30 wineserver -k 2>/dev/null || true
else
  echo "   win-x64: skipped: no wine on PATH, and no Wine chroot at $chroot_dir (.ci/wine-tests.sh makes it, as root)"
fi
