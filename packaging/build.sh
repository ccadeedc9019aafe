#!/usr/bin/env bash
# Builds the packages into OUTDIR (default: artifacts/packages):
#   Linksmith.<version>.nupkg        the library (README, XML docs, license, tags)
#   Linksmith.Tool.<version>.nupkg   the `dotnet tool` (command `linksmith`)
#   linksmith_<version>_amd64.deb    the NativeAOT binary, its SQLite library, linksmith(1), completions
#   linksmith-<version>-win-x64.zip  linksmith.exe (self-contained, single file, trimmed), LICENSE,
#                                    README.md; and its .sha256
#   scoop/linksmith.json             the scoop manifest for that zip
#   winget/Linksmith.Linksmith*.yaml the winget multi-file manifest (1.9.0) for that zip
# The version is Directory.Build.props' <Version>, the one place it is defined.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$root/artifacts/packages}" && cd "${1:-$root/artifacts/packages}" && pwd)
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
repo_url=https://github.com/linksmith/linksmith
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
Homepage: $repo_url
Description: symbolic links, hard links and junctions made easy, safe and fast
 linksmith creates, inspects, repairs and converts symbolic links, hard links
 and junctions; copies, mirrors, clones and backs up trees link-aware; finds
 duplicate files; and adds "Pick Link Source" / "Drop As" to file managers.
CONTROL
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$out/linksmith_${version}_amd64.deb" >&2

echo "== win-x64 zip, scoop and winget manifests" >&2
# NativeAOT cannot target Windows from Linux, so the Windows build is the self-contained
# single-file JIT build, trimmed (the CLI is trim-clean: warnings are errors). SQLite's
# e_sqlite3.dll goes inside the .exe and is unpacked on first use.
win_started=$SECONDS
dotnet publish "$root/src/Linksmith.Cli" -c Release -r win-x64 --self-contained -o "$work/win" -nologo -v quiet \
  -p:PublishAot=false -p:PublishSingleFile=true -p:PublishTrimmed=true \
  -p:IncludeNativeLibrariesForSelfExtract=true -p:DebugType=none >&2
zip_name=linksmith-$version-win-x64.zip
install -d "$work/zip"
install -m 755 "$work/win/Linksmith.Cli.exe" "$work/zip/linksmith.exe"
install -m 644 "$root/LICENSE" "$root/README.md" "$work/zip/"
touch -d "@$SOURCE_DATE_EPOCH" "$work/zip"/*
rm -f "$out/$zip_name"
(cd "$work/zip" && TZ=UTC zip -q -X -9 "$out/$zip_name" linksmith.exe LICENSE README.md)
sha=$(sha256sum "$out/$zip_name" | cut -d' ' -f1)
echo "$sha  $zip_name" >"$out/$zip_name.sha256"
echo "   the zip took $((SECONDS - win_started)) s" >&2

# The release URL the manifests point at. Nothing is published there yet: the manifests are
# ready to submit once a GitHub release v$version carries the zip.
url_of() { echo "$repo_url/releases/download/v$1/linksmith-$1-win-x64.zip"; }
description="Symbolic links, hard links and junctions made easy, safe and fast"
install -d "$out/scoop" "$out/winget"
cat >"$out/scoop/linksmith.json" <<SCOOP
{
    "version": "$version",
    "description": "$description.",
    "homepage": "$repo_url",
    "license": "MIT",
    "architecture": {
        "64bit": {
            "url": "$(url_of "$version")",
            "hash": "$sha"
        }
    },
    "bin": "linksmith.exe",
    "checkver": {
        "github": "$repo_url"
    },
    "autoupdate": {
        "architecture": {
            "64bit": {
                "url": "$(url_of '$version')"
            }
        }
    }
}
SCOOP
# winget: the three files of a multi-file manifest, as they would go in winget-pkgs under
# manifests/l/Linksmith/Linksmith/$version/. A zip holding a portable exe: winget unpacks it and
# puts `linksmith` on PATH.
# PackageVersion and ReleaseDate are quoted: YAML 1.1 readers take 2026-01-01 for a date and 1.0
# for a number, and the schemas want strings.
id=Linksmith.Linksmith
cat >"$out/winget/$id.yaml" <<VERSION
# yaml-language-server: \$schema=https://aka.ms/winget-manifest.version.1.9.0.schema.json
PackageIdentifier: $id
PackageVersion: "$version"
DefaultLocale: en-US
ManifestType: version
ManifestVersion: 1.9.0
VERSION
cat >"$out/winget/$id.installer.yaml" <<INSTALLER
# yaml-language-server: \$schema=https://aka.ms/winget-manifest.installer.1.9.0.schema.json
PackageIdentifier: $id
PackageVersion: "$version"
InstallerType: zip
NestedInstallerType: portable
NestedInstallerFiles:
  - RelativeFilePath: linksmith.exe
    PortableCommandAlias: linksmith
ReleaseDate: "$(date -u -d "@$SOURCE_DATE_EPOCH" +%F)"
Installers:
  - Architecture: x64
    InstallerUrl: $(url_of "$version")
    InstallerSha256: ${sha^^}
ManifestType: installer
ManifestVersion: 1.9.0
INSTALLER
cat >"$out/winget/$id.locale.en-US.yaml" <<LOCALE
# yaml-language-server: \$schema=https://aka.ms/winget-manifest.defaultLocale.1.9.0.schema.json
PackageIdentifier: $id
PackageVersion: "$version"
PackageLocale: en-US
Publisher: Linksmith contributors
PublisherUrl: $repo_url
PackageName: Linksmith
PackageUrl: $repo_url
License: MIT
LicenseUrl: $repo_url/blob/main/LICENSE
ShortDescription: $description.
Description: linksmith creates, inspects, repairs and converts symbolic links, hard links and junctions; copies, mirrors, clones and backs up trees link-aware; and finds duplicate files.
Moniker: linksmith
Tags:
  - symlink
  - hardlink
  - junction
  - mklink
  - cli
ManifestType: defaultLocale
ManifestVersion: 1.9.0
LOCALE
ls -lR "$out" >&2
