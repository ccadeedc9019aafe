#!/usr/bin/env python3
"""Checks the Windows zip's manifests that packaging/build.sh wrote in OUTDIR.

Usage: check-manifests.py OUTDIR VERSION

- scoop/linksmith.json against Scoop's schema.json, winget/*.yaml against winget's 1.9.0
  schemas (both vendored in packaging/schemas/, see its README);
- the hash in each manifest is the zip's SHA-256, the version is VERSION, the URL names the zip;
- the executable each manifest runs (scoop's bin, winget's NestedInstallerFiles) is in the zip.
Prints one line per check; exits 1 at the end if any failed.
"""
import hashlib
import json
import pathlib
import sys
import zipfile

import jsonschema
import yaml

out = pathlib.Path(sys.argv[1])
version = sys.argv[2]
schemas = pathlib.Path(__file__).resolve().parent / "schemas"
zip_name = f"linksmith-{version}-win-x64.zip"
zip_path = out / zip_name
failures = []


def check(what, ok, detail=""):
    print(f"   {'ok  ' if ok else 'FAIL'} {what}{': ' + detail if detail and not ok else ''}")
    if not ok:
        failures.append(what)


def validate(what, document, schema_file):
    schema = json.loads((schemas / schema_file).read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    check(f"{what} matches {schema_file}", not errors,
          "; ".join(f"{'/'.join(map(str, e.path)) or '(top)'}: {e.message}" for e in errors))


sha = hashlib.sha256(zip_path.read_bytes()).hexdigest()
with zipfile.ZipFile(zip_path) as z:
    names = sorted(z.namelist())
check(f"{zip_name} holds linksmith.exe, LICENSE, README.md", names == ["LICENSE", "README.md", "linksmith.exe"],
      f"it holds {names}")
sha_file = (out / f"{zip_name}.sha256").read_text(encoding="utf-8").split()
check(f"{zip_name}.sha256 is the zip's SHA-256", sha_file == [sha, zip_name], f"{sha_file} vs {sha}")

scoop = json.loads((out / "scoop" / "linksmith.json").read_text(encoding="utf-8"))
validate("scoop/linksmith.json", scoop, "scoop/schema.json")
x64 = scoop["architecture"]["64bit"]
check("scoop: version", scoop["version"] == version, scoop["version"])
check("scoop: hash is the zip's SHA-256", x64["hash"].lower() == sha, x64["hash"])
check("scoop: url names the zip", x64["url"].endswith(f"/v{version}/{zip_name}"), x64["url"])
check("scoop: bin is in the zip", scoop["bin"] in names, scoop["bin"])

winget = {}
for kind, file, schema in [
    ("version", "Linksmith.Linksmith.yaml", "manifest.version.1.9.0.json"),
    ("installer", "Linksmith.Linksmith.installer.yaml", "manifest.installer.1.9.0.json"),
    ("defaultLocale", "Linksmith.Linksmith.locale.en-US.yaml", "manifest.defaultLocale.1.9.0.json"),
]:
    document = yaml.safe_load((out / "winget" / file).read_text(encoding="utf-8"))
    winget[kind] = document
    validate(f"winget/{file}", document, f"winget-1.9.0/{schema}")
    check(f"winget/{file}: ManifestType {kind}, PackageVersion {version}",
          document.get("ManifestType") == kind and document.get("PackageVersion") == version,
          f"{document.get('ManifestType')} {document.get('PackageVersion')!r}")
check("winget: one PackageIdentifier", len({d["PackageIdentifier"] for d in winget.values()}) == 1)
check("winget: DefaultLocale is the locale file's",
      winget["version"]["DefaultLocale"] == winget["defaultLocale"]["PackageLocale"])
installer = winget["installer"]
(entry,) = installer["Installers"]
check("winget: InstallerSha256 is the zip's SHA-256", entry["InstallerSha256"].lower() == sha, entry["InstallerSha256"])
check("winget: InstallerUrl names the zip", entry["InstallerUrl"].endswith(f"/v{version}/{zip_name}"), entry["InstallerUrl"])
nested = [f["RelativeFilePath"] for f in installer["NestedInstallerFiles"]]
check("winget: NestedInstallerFiles are in the zip", all(n in names for n in nested), str(nested))
check("winget: command alias linksmith",
      [f.get("PortableCommandAlias") for f in installer["NestedInstallerFiles"]] == ["linksmith"])

if failures:
    print(f"check-manifests.py: {len(failures)} check(s) failed", file=sys.stderr)
    sys.exit(1)
