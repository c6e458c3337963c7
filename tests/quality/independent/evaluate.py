#!/usr/bin/env python3
"""Score a leakless JSON report against the independent corpus (see gen_corpus.py).

Usage: evaluate.py CORPUS_DIR REPORT.json [--floors FLOORS.json] [--markdown]

A labelled positive is *found* when some finding has a location in its file whose line range
overlaps the labelled lines; *found by a provider rule* when that finding's provider is not
`generic`. A negative file counts as a false positive when it has any finding. With --floors,
exits 1 if a family's recall or a negative kind's false-positive count misses its floor, so the
test that calls this can fail for the reason it names.
"""

import json
import sys
from collections import defaultdict


def main():
    corpus, report = sys.argv[1], sys.argv[2]
    floors = None
    if "--floors" in sys.argv:
        with open(sys.argv[sys.argv.index("--floors") + 1]) as f:
            floors = json.load(f)
    labels = json.load(open(f"{corpus}/labels.json"))
    negs = json.load(open(f"{corpus}/negatives.json"))
    doc = json.load(open(report))
    by_path = defaultdict(list)  # path -> [(line, end_line, provider, rule)]
    for f in doc["findings"]:
        for loc in f["locations"]:
            p = loc["path"]
            if p.startswith("files/"):
                p = p[len("files/"):]
            by_path[p].append((loc["line"], loc.get("end_line", loc["line"]), f["provider"], f["rule_id"]))

    fam = defaultdict(lambda: [0, 0, 0])  # positives, found, found by a provider rule
    missed = defaultdict(list)
    for lab in labels:
        hits = [h for h in by_path.get(lab["path"], []) if h[0] <= lab["end_line"] and h[1] >= lab["line"]]
        c = fam[lab["family"]]
        c[0] += 1
        if hits:
            c[1] += 1
            if any(h[2] != "generic" for h in hits):
                c[2] += 1
        else:
            missed[lab["family"]].append(f"{lab['provider']}/{lab['kind']}")
    neg = defaultdict(lambda: [0, 0])
    fp_rules = defaultdict(set)
    for n in negs:
        c = neg[n["kind"]]
        c[0] += 1
        if by_path.get(n["path"]):
            c[1] += 1
            fp_rules[n["kind"]].update(h[3] for h in by_path[n["path"]])

    total = [sum(v[i] for v in fam.values()) for i in range(3)]
    print("| family | positives | found | recall | by a provider rule |")
    print("|---|---:|---:|---:|---:|")
    for k in sorted(fam):
        p, f, pr = fam[k]
        print(f"| {k} | {p} | {f} | {f / p:.3f} | {pr / p:.3f} |")
    print(f"| **all** | {total[0]} | {total[1]} | {total[1] / total[0]:.3f} | {total[2] / total[0]:.3f} |")
    print()
    print("| hard-negative kind | files | with findings | rules that fired |")
    print("|---|---:|---:|---|")
    for k in sorted(neg):
        print(f"| {k} | {neg[k][0]} | {neg[k][1]} | {', '.join(sorted(fp_rules[k])) or '-'} |")
    if "--misses" in sys.argv:
        for k in sorted(missed):
            print(f"\nmissed in {k}: " + ", ".join(sorted(set(missed[k]))))

    if floors:
        bad = []
        for k, floor in floors.get("recall", {}).items():
            p, f, _ = fam.get(k, [0, 0, 0])
            if p == 0 or f / p < floor:
                bad.append(f"family {k}: recall {f}/{p} below floor {floor}")
        for k, ceiling in floors.get("negative_files_with_findings", {}).items():
            if neg[k][1] > ceiling:
                bad.append(f"negative kind {k}: {neg[k][1]} files with findings (ceiling {ceiling}): {sorted(fp_rules[k])}")
        if bad:
            print("\n".join(bad), file=sys.stderr)
            sys.exit(1)


if __name__ == "__main__":
    main()
