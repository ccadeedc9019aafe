#!/usr/bin/env bash
# Publishes the NativeAOT `linksmith` for linux-x64 into DIR (default: artifacts/aot) and prints
# the binary's path. Installs the native toolchain NativeAOT links with when it is missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/artifacts/aot}
if ! command -v clang >/dev/null 2>&1 && ! command -v gcc >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang >/dev/null
fi
if [[ ! -e /usr/include/zlib.h ]]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zlib1g-dev >/dev/null
fi
dotnet publish "$root/src/Linksmith.Cli" -c Release -r linux-x64 -p:PublishAot=true -o "$out" -nologo -v quiet >&2
echo "$out/linksmith"
