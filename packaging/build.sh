#!/usr/bin/env bash
# Builds the packages into OUTDIR (default: artifacts/packages):
#   Linksmith.<version>.nupkg        the library (README, XML docs, license, tags)
#   Linksmith.Tool.<version>.nupkg   the `dotnet tool` (command `linksmith`)
#   linksmith_<version>_amd64.deb    the NativeAOT binary, its SQLite library, linksmith(1), completions
# The version is Directory.Build.props' <Version>, the one place it is defined.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$root/artifacts/packages}" && cd "${1:-$root/artifacts/packages}" && pwd)
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}

echo "== Linksmith $version: NuGet packages" >&2
dotnet pack "$root/src/Linksmith" -c Release -o "$out" -nologo -v quiet >&2
# The tool: the CLI project packed as a tool (see PackTool in its .csproj).
dotnet pack "$root/src/Linksmith.Cli" -c Release -o "$out" -nologo -v quiet -p:PackTool=true >&2

echo "== .deb" >&2
aot=$("$root/bench/publish-aot.sh" "$work/aot")
pkg=$work/deb
install -d "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/usr/lib/linksmith" "$pkg/usr/share/man/man1" \
  "$pkg/usr/share/bash-completion/completions" "$pkg/usr/share/zsh/vendor-completions" \
  "$pkg/usr/share/fish/vendor_completions.d" "$pkg/usr/share/doc/linksmith"
install -m 755 "$aot" "$pkg/usr/lib/linksmith/linksmith"
install -m 644 "$work/aot/libe_sqlite3.so" "$pkg/usr/lib/linksmith/libe_sqlite3.so"
strip --strip-unneeded "$pkg/usr/lib/linksmith/libe_sqlite3.so" 2>/dev/null || true
# The binary loads libe_sqlite3.so from its own folder (the link is resolved), as published.
ln -s ../lib/linksmith/linksmith "$pkg/usr/bin/linksmith"
"$aot" manpage | gzip -9n >"$pkg/usr/share/man/man1/linksmith.1.gz"
"$aot" completions bash >"$pkg/usr/share/bash-completion/completions/linksmith"
"$aot" completions zsh >"$pkg/usr/share/zsh/vendor-completions/_linksmith"
"$aot" completions fish >"$pkg/usr/share/fish/vendor_completions.d/linksmith.fish"
cat >"$pkg/usr/share/doc/linksmith/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: linksmith

Files: *
Copyright: $(sed -n 's:.*<Copyright>Copyright (c) \(.*\)</Copyright>.*:\1:p' "$root/Directory.Build.props")
License: MIT
$(sed 's/^$/./; s/^/ /' "$root/LICENSE")
COPYRIGHT
printf 'linksmith (%s) unstable; urgency=medium\n\n  * Release %s.\n\n -- Linksmith contributors <linksmith@users.noreply.github.com>  %s\n' \
  "$version" "$version" "$(date -u -R -d "@$SOURCE_DATE_EPOCH")" | gzip -9n >"$pkg/usr/share/doc/linksmith/changelog.gz"
find "$pkg" -type d -exec chmod 755 {} +
find "$pkg/usr/share" -type f -exec chmod 644 {} +
cat >"$pkg/DEBIAN/control" <<CONTROL
Package: linksmith
Version: $version
Architecture: amd64
Maintainer: Linksmith contributors <linksmith@users.noreply.github.com>
Installed-Size: $(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
Depends: libc6 (>= 2.27), zlib1g
Section: utils
Priority: optional
Homepage: https://github.com/linksmith/linksmith
Description: symbolic links, hard links and junctions made easy, safe and fast
 linksmith creates, inspects, repairs and converts symbolic links, hard links
 and junctions; copies, mirrors, clones and backs up trees link-aware; finds
 duplicate files; and adds "Pick Link Source" / "Drop As" to file managers.
CONTROL
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$out/linksmith_${version}_amd64.deb" >&2
ls -l "$out" >&2
