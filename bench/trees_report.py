#!/usr/bin/env python3
"""Table of the tree-engine benchmark: medians, ratio to the best peer, files/s, peak memory, verify."""
import json
import os
import statistics
import sys

results, data = sys.argv[1], sys.argv[2]
files = json.load(open(os.path.join(data, "tree.manifest.json"))).get("regular_file_paths") or None
jobs = {
    "clone": ("tool", ["cp_al", "rsync_link_dest"]),
    "copy": ("tool", ["cp_a", "tar_pipe", "rsync_aH"]),
    "backup": ("tool", ["cp_al_then_rsync", "rsync_aH_link_dest", "rsync_a_link_dest"]),
    "mirror": ("tool", ["rsync_aH_delete"]),
}


def medians(job):
    out = {}
    for f in os.listdir(results):
        if f.startswith(job + ".") and f.endswith(".json") and not f.endswith(".verify.json"):
            doc = json.load(open(os.path.join(results, f)))
            for r in doc.get("results", []):
                out[f[len(job) + 1:-5]] = statistics.median(r["times"])
    return out


def verify(job, name):
    p = os.path.join(results, f"{job}.{name}.verify.json")
    if not os.path.exists(p):
        return "-"
    v = json.load(open(p))
    d = v.get("attr_diffs", {})
    bad = {k: d[k] for k in d if d[k]}
    extra = {k: v[k] for k in ("missing", "extra", "type_changed", "hardlink_groups_split", "distinct_inodes_merged", "deep_content_mismatch_paths") if v.get(k)}
    linked = f" linked-to-prev={v['file_paths_hardlinked_to_prev']}" if "file_paths_hardlinked_to_prev" in v else ""
    return f"ok={v.get('ok')} {bad or ''} {extra or ''}{linked}".strip()


print("| job | tool | median s | ratio to best peer | files/s | peak RSS | verify |")
print("|---|---|---:|---:|---:|---:|---|")
for job, (tool, peers) in jobs.items():
    names = medians(job)
    if not names:
        continue
    best = min((names[p] for p in peers if p in names), default=None)
    rss = ""
    p = os.path.join(results, f"{job}.maxrss")
    if os.path.exists(p):
        rss = f"{int(open(p).read().split()[-1]) / 1024:.0f} MiB"
    for name, t in sorted(names.items(), key=lambda kv: kv[1]):
        ratio = f"{t / best:.2f}" if best else "-"
        fps = f"{files / t:,.0f}" if files else "-"
        who = "linksmith" if name in (tool,) else name
        print(f"| {job} | {who} | {t:.3f} | {ratio} | {fps} | {rss if name == tool else ''} | {verify(job, name)} |")
