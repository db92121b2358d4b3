#!/usr/bin/env python3
"""Checks the report's outlet profiles (report.json `outlet_profiles`) against planted signal
and against no signal, on a labeled dump (gold `story` ids; ../shared/datasets/allsides-dev.jsonl).

    tools/profile-eval.py plant DUMP [--plants 20] [--sizes 5,10,20] [--seed 1] [--group-field stance]
    tools/profile-eval.py null DUMP [--rounds 20] [--seed 1] [--group-field stance]

plant: each plant draws an outlet, a word it writes (letters only, 5+ long, in at least SIZE of
its stories) and a replacement (a word of the dump in 3 to 30 articles that the outlet never
writes), and replaces the word by it, whole words, in the outlet's articles of SIZE of those
stories. The dump so changed is clustered and reported (`storyline run`, `storyline report
--formats json`) and the plant is found when the outlet's profile lists a unit holding the
replacement. Prints one line per plant and the recall by size.

null: the outlets (with their group field) are dealt at random among each gold story's articles,
which leaves nothing for a profile to find; prints the share of compared outlets whose profile
shows any wording unit, per round and overall (the issue's bar: at most 5%).

The last line is JSON (`{"recall": {...}}` or `{"null_share": ...}`) for scripts and tests.
"""
import argparse
import collections
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

WORD = re.compile(r"[A-Za-z]+")


def read(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def report(binary, records, work, group_field):
    """Clusters and reports `records`; returns report.json."""
    if os.path.exists(work):
        shutil.rmtree(work)
    os.makedirs(work)
    dump = os.path.join(work, "dump.jsonl")
    with open(dump, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    db = os.path.join(work, "store.sqlite")
    subprocess.run([binary, "run", "-q", dump, "--db", db], check=True)
    out = os.path.join(work, "report")
    command = [binary, "report", "-q", "--db", db, "--out", out, "--format", "json", "--permutations", "0"]
    if group_field:
        command += ["--group-field", group_field]
    subprocess.run(command, check=True)
    with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
        return json.load(f)


def words_of(r):
    return set(w.lower() for w in WORD.findall(r.get("title", "") + " " + r.get("text", "")))


def plant(args):
    records = read(args.dump)
    rng = random.Random(args.seed)
    stories_of = collections.defaultdict(lambda: collections.defaultdict(set))   # outlet -> word -> gold stories
    articles_with = collections.Counter()
    for r in records:
        ws = words_of(r)
        for w in ws:
            articles_with[w] += 1
            if len(w) >= 5:
                stories_of[r["outlet"]][w].add(r["story"])
    outlet_words = {o: set(ws) for o, ws in stories_of.items()}
    for o, ws in stories_of.items():
        outlet_words[o] = set(ws)
    for r in records:
        outlet_words.setdefault(r["outlet"], set()).update(words_of(r))
    rare = sorted(w for w, n in articles_with.items() if 3 <= n <= 30 and len(w) >= 5)
    sizes = [int(s) for s in args.sizes.split(",")]
    found_by_size = collections.defaultdict(list)
    work = tempfile.mkdtemp(prefix="profile-eval-")
    try:
        for k in range(args.plants):
            size = sizes[k % len(sizes)]
            outlets = sorted(o for o, ws in stories_of.items() if any(len(s) >= size for s in ws.values()))
            outlet = rng.choice(outlets)
            word = rng.choice(sorted(w for w, s in stories_of[outlet].items() if len(s) >= size))
            replacement = rng.choice([w for w in rare if w not in outlet_words[outlet] and w != word])
            chosen = set(rng.sample(sorted(stories_of[outlet][word]), size))
            pattern = re.compile(r"\b%s\b" % re.escape(word), re.IGNORECASE)

            def swap(m):
                s = m.group(0)
                return replacement.capitalize() if s[:1].isupper() else replacement
            planted = []
            for r in records:
                if r["outlet"] == outlet and r["story"] in chosen:
                    r = dict(r, title=pattern.sub(swap, r.get("title", "")), text=pattern.sub(swap, r.get("text", "")))
                planted.append(r)
            rep = report(args.binary, planted, os.path.join(work, "run"), args.group_field)
            profile = next((p for p in rep["outlet_profiles"] if p["outlet"] == outlet), None)
            units = [u for u in (profile or {}).get("wording", []) if replacement in u["unit"].lower().split()]
            found = bool(units)
            found_by_size[size].append(found)
            shown = units[0] if units else None
            print("plant %2d: %s, %r -> %r in %d stories: %s" % (
                k + 1, outlet, word, replacement, size,
                "found (q %.2g, %d stories)" % (shown["q"], shown["stories"]) if shown else "not found"), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    recall = {str(s): sum(v) / len(v) for s, v in sorted(found_by_size.items())}
    for s, v in sorted(found_by_size.items()):
        print("recall, plants in %d stories: %d of %d (%.0f%%)" % (s, sum(v), len(v), 100 * sum(v) / len(v)))
    print(json.dumps({"recall": recall, "plants": {str(s): len(v) for s, v in found_by_size.items()}}))


def null(args):
    records = read(args.dump)
    rng = random.Random(args.seed)
    by_story = collections.defaultdict(list)
    for k, r in enumerate(records):
        by_story[r["story"]].append(k)
    work = tempfile.mkdtemp(prefix="profile-eval-")
    shown_total = compared_total = 0
    try:
        for round_ in range(args.rounds):
            dealt = [dict(r) for r in records]
            for story in sorted(by_story):
                ks = by_story[story]
                labels = [(records[k]["outlet"], records[k].get(args.group_field)) for k in ks]
                rng.shuffle(labels)
                for k, (outlet, group) in zip(ks, labels):
                    dealt[k]["outlet"] = outlet
                    if args.group_field:
                        if group is None:
                            dealt[k].pop(args.group_field, None)
                        else:
                            dealt[k][args.group_field] = group
            rep = report(args.binary, dealt, os.path.join(work, "run"), args.group_field)
            compared = [p for p in rep["outlet_profiles"] if p["shared_stories"] > 0]
            shown = [p for p in compared if p["wording"]]
            shown_total += len(shown)
            compared_total += len(compared)
            print("round %2d: %d of %d outlet profiles show a wording unit%s" % (
                round_ + 1, len(shown), len(compared),
                (": " + ", ".join("%s (%s)" % (p["outlet"], p["wording"][0]["unit"]) for p in shown[:5])) if shown else ""), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    share = shown_total / max(compared_total, 1)
    print("overall: %d of %d profiles (%.2f%%) show a wording unit with the outlets dealt at random" % (shown_total, compared_total, 100 * share))
    print(json.dumps({"null_share": share, "profiles": compared_total, "with_units": shown_total}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["plant", "null"])
    ap.add_argument("dump")
    ap.add_argument("--binary", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".build", "release", "storyline"))
    ap.add_argument("--plants", type=int, default=20)
    ap.add_argument("--sizes", default="5,10,20")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--group-field", default="stance")
    args = ap.parse_args()
    if not os.access(args.binary, os.X_OK):
        sys.exit("profile-eval: no storyline binary at %s (swift build -c release, or --binary)" % args.binary)
    plant(args) if args.mode == "plant" else null(args)


if __name__ == "__main__":
    main()
