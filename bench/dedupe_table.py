#!/usr/bin/env python3
"""One table of every dedupe peer from bench/dedupe.sh's result folders.

    python3 bench/dedupe_table.py RESULTS_DIR PRESET-CACHE

Reads RESULTS_DIR/PRESET-CACHE-{nocache,cache,czkawka,jdupes131,rdfind18}/dedup.NAME.json
(hyperfine) and dedup.NAME.verify.json (verify.py), prints median seconds, bytes saved, the
verify counts, and linksmith's ratios to the fastest peer.
"""
import json
import os
import sys

results, run = sys.argv[1], sys.argv[2]
ROWS = [  # (folder suffix, name in that folder, label)
    ("nocache", "tool", "linksmith --apply --no-cache"),
    ("cache", "tool", "linksmith --apply (hash cache)"),
    ("czkawka", "tool", "czkawka 12 (sid) dup -D HARD"),
    ("nocache", "jdupes_rL", "jdupes 1.21 -rL (bookworm)"),
    ("jdupes131", "tool", "jdupes 1.31 -rL (sid)"),
    ("nocache", "rdfind", "rdfind 1.5 (bookworm)"),
    ("rdfind18", "tool", "rdfind 1.8 (sid)"),
    ("nocache", "hardlink_t", "hardlink -t"),
    ("nocache", "rmlint_sh", "rmlint (sh:hardlink)"),
]


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


rows = []
for suffix, name, label in ROWS:
    folder = os.path.join(results, f"{run}-{suffix}")
    timing = load(os.path.join(folder, f"dedup.{name}.json"))
    check = load(os.path.join(folder, f"dedup.{name}.verify.json")) or {}
    if not timing:
        continue
    median = timing["results"][0]["median"]
    rows.append((label, median, check))

print("| tool | median s | bytes saved | wrong merges | merges across owner/mode | groups split |")
print("|---|---:|---:|---:|---:|---:|")
for label, median, v in rows:
    print(f"| {label} | {median:.2f} | {v.get('bytes_saved', '?'):,} | {v.get('wrong_merge_groups', '?')} "
          f"| {v.get('merged_across_owner_or_mode_groups', '?')} | {v.get('preexisting_hardlink_groups_split', '?')} |"
          if isinstance(v.get('bytes_saved'), int) else
          f"| {label} | {median:.2f} | ? | ? | ? | ? |")
peers = [m for label, m, _ in rows if not label.startswith("linksmith")]
ours = {label: m for label, m, _ in rows if label.startswith("linksmith")}
if peers:
    fastest = min(peers)
    for label, m in ours.items():
        print(f"{label}: {m / fastest:.2f}x the fastest peer ({fastest:.2f} s)")
