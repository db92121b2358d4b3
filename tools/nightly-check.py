#!/usr/bin/env python3
"""Checks the nightly path on a labeled JSONL file split by date into two nights.

    tools/nightly-check.py ../shared/datasets/allsides-dev.jsonl

Prints: the share of night-1 stories that keep their id and all their articles after night 2;
whether rerunning night 2 changes anything; B-cubed F1 of the two-night store against the gold
`story` field, beside clustering the same file in one go (`storyline eval`).
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("STORYLINE", os.path.join(ROOT, ".build", "release", "storyline"))


def run(*args, cwd):
    r = subprocess.run([BIN, *args, "--quiet"] if args[0] in ("run", "ingest", "cluster") else [BIN, *args],
                       cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(args), r.stderr))
    return r.stdout


def b3(gold, found):
    from collections import defaultdict
    g, f = defaultdict(set), defaultdict(set)
    for i, (a, b) in enumerate(zip(gold, found)):
        g[a].add(i)
        f[b].add(i)
    p = sum(len(g[a] & f[b]) / len(f[b]) for a, b in zip(gold, found)) / len(gold)
    r = sum(len(g[a] & f[b]) / len(g[a]) for a, b in zip(gold, found)) / len(gold)
    return 2 * p * r / (p + r)


def main():
    path = os.path.abspath(sys.argv[1])
    rows = [json.loads(l) for l in open(path, encoding="utf-8")]
    dated = sorted(r["published"] for r in rows if r.get("published"))
    cut = dated[len(dated) // 2]
    d = tempfile.mkdtemp()
    with open(os.path.join(d, "n1.jsonl"), "w") as n1, open(os.path.join(d, "n2.jsonl"), "w") as n2:
        for r in rows:
            (n1 if (r.get("published") or "") < cut else n2).write(json.dumps(r) + "\n")
    run("run", "n1.jsonl", cwd=d)
    night1 = {s["id"]: set(s["articles"]) for s in json.loads(run("stories", "--json", cwd=d)) if s["articles"]}
    run("run", "n2.jsonl", cwd=d)
    after = json.loads(run("stories", "--json", cwd=d))
    night2 = {s["id"]: set(s["articles"]) for s in after if s["articles"]}
    kept = sum(1 for sid, arts in night1.items() if sid in night2 and arts <= night2[sid])
    run("run", "n2.jsonl", cwd=d)
    again = json.loads(run("stories", "--json", cwd=d))
    gold = {r["id"]: r["story"] for r in rows}
    found = {a: s["id"] for s in after for a in s["articles"]}
    ids = sorted(found)
    nightly = b3([gold[i] for i in ids], [found[i] for i in ids])
    one_go = json.loads(run("eval", path, "--json", cwd=d))["b3_f1"]
    merged = sum(1 for s in after if s.get("merged_into"))
    print("night 1: %d articles, %d stories; night 2: %d articles" % (
        sum(len(a) for a in night1.values()), len(night1), len(rows) - sum(len(a) for a in night1.values())))
    print("night-1 stories that keep their id and all their articles: %d/%d = %.1f%% (merged away: %d)" % (
        kept, len(night1), 100.0 * kept / len(night1), merged))
    print("rerunning night 2 changes nothing: %s" % (again == after))
    print("B-cubed F1: two nights %.3f, one go %.3f, difference %.3f" % (nightly, one_go, one_go - nightly))


if __name__ == "__main__":
    main()
