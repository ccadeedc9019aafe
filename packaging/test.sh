#!/usr/bin/env bash
# Installs what packaging/build.sh made in OUTDIR and runs it, as a user would:
#   - the dotnet tool from the package folder into a temporary tool path;
#   - the .deb with dpkg -i, then dpkg -r, checking that nothing of it is left.
# Each runs `linksmith --version` and one real command (a symlink made and inspected).
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
