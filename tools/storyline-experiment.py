#!/usr/bin/env python3
"""Measures candidate rules for storylines (issue 31) on top of the engine's stories, before any
of them is built into the engine: the figures that decide the design.

    tools/storyline-experiment.py [--binary PATH] [--split T ...] [--link T ...] [--attach A ...] [--margin R] [--show] DATASET...

For each labeled dataset (a `story` field: for ECB+, the event with its follow-ups) it runs the
real binary (`storyline run` into a temporary store, then `stories --json`), and scores against
the gold `story`, B-cubed:

1. the engine's stories as they are;
2. each story that holds an undated article (as `storyline read` dates them) split by its
   articles' names, when average linkage over their name vectors at `--split T` leaves two or more
   groups of two or more articles (single articles go to the group they are nearest): twin events
   (two shootings, two coaching changes) share their words but not the names that fill their roles;
3. storylines: the stories (split or not) joined by average linkage over their name vectors at
   `--link T`; then each story of at most two articles left alone joins the storyline it is
   nearest to (mean cosine) when that is at least `--attach A` and `--margin R` times the next
   one's (the engine's rule, `StorylineLinker`, with the profile's `storylines` values: 0.35,
   0.15, 2). `--show` prints each storyline of two or more stories, for checking by hand.

A name is a word that starts with a capital letter inside a sentence (not its first word), not in
capitals throughout, and not a function word, weekday or month; vectors are TF-IDF (sublinear tf,
idf over the stories or articles compared), cosine. Prints one line per rule and threshold.
"""
import argparse
import collections
import json
import math
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORD = re.compile(r"[A-Za-z][A-Za-z'\-]+")
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n")
STOP = set("""The A An In On At For Of And But Or To By With From As It He She They We I You His Her Their This That
These Those After Before When While If Mr Mrs Ms Dr Monday Tuesday Wednesday Thursday Friday Saturday Sunday January
February March April May June July August September October November December Updated Posted Published""".split())


def names(text):
    out = collections.Counter()
    for sentence in SENTENCE.split(text):
        for i, word in enumerate(WORD.findall(sentence)):
            if i > 0 and word[0].isupper() and not word.isupper() and word not in STOP:
                out[word.lower()] += 1
    return out


def tfidf(counters):
    df = collections.Counter()
    for c in counters:
        df.update(set(c))
    n = len(counters)
    out = []
    for c in counters:
        w = {t: (1 + math.log(k)) * math.log((1 + n) / (1 + df[t])) for t, k in c.items()}
        norm = math.sqrt(sum(x * x for x in w.values())) or 1.0
        out.append({t: x / norm for t, x in w.items()})
    return out


def cosine(a, b):
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(t, 0.0) for t, x in a.items())


def average_linkage(count, sim, threshold):
    """Greedy average linkage (unweighted: each item counts once) over sim(i, j); groups of indices."""
    clusters = [[i] for i in range(count)]
    cache = {}

    def s(i, j):
        key = (i, j) if i < j else (j, i)
        if key not in cache:
            cache[key] = sim(*key)
        return cache[key]

    while len(clusters) > 1:
        best = None
        for x in range(len(clusters)):
            for y in range(x + 1, len(clusters)):
                a, b = clusters[x], clusters[y]
                v = sum(s(i, j) for i in a for j in b) / (len(a) * len(b))
                if v >= threshold and (best is None or v > best[0]):
                    best = (v, x, y)
        if best is None:
            break
        _, x, y = best
        clusters[x] += clusters.pop(y)
    return clusters


def attach_small(lines, groups, sim, attach, margin, small=2):
    """Each storyline of one story of at most `small` articles joins the storyline (not such a
    one) of the highest mean cosine when it is >= attach and >= margin x the next one's."""
    lines = [list(line) for line in lines]
    alone = {k for k, line in enumerate(lines) if len(line) == 1 and len(groups[line[0]]) <= small}
    moves = []
    for k in alone:
        i = lines[k][0]
        ranked = sorted(((sum(sim(i, j) for j in lines[m]) / len(lines[m]), m) for m in range(len(lines))
                         if m != k and m not in alone), reverse=True)
        if ranked and ranked[0][0] >= attach and (len(ranked) < 2 or ranked[0][0] >= margin * ranked[1][0]):
            moves.append((k, ranked[0][1]))
    for k, m in moves:
        lines[m] += lines[k]
        lines[k] = []
    return [line for line in lines if line]


def b_cubed(gold, found):
    by_found, by_gold = collections.defaultdict(list), collections.defaultdict(list)
    for i, (g, f) in enumerate(zip(gold, found)):
        by_found[f].append(i)
        by_gold[g].append(i)
    p = r = 0.0
    for i, (g, f) in enumerate(zip(gold, found)):
        same = sum(1 for j in by_found[f] if gold[j] == g)
        p += same / len(by_found[f])
        r += same / len(by_gold[g])
    p, r = p / len(gold), r / len(gold)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def run(binary, dataset, splits, links, attaches, margin, show_lines):
    rows = {str(r["id"]): r for r in map(json.loads, open(dataset, encoding="utf-8"))}
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "s.sqlite")
        subprocess.run([binary, "run", dataset, "--db", db, "-q"], check=True)
        stories = [s["articles"] for s in json.loads(subprocess.run([binary, "stories", "--db", db, "--json"],
                                                                     capture_output=True, text=True, check=True).stdout)
                   if s["articles"]]
    read = subprocess.run([binary, "read", dataset], capture_output=True, text=True).stdout
    dated = {str(json.loads(line)["id"]): json.loads(line).get("published") for line in read.splitlines()}
    ids = [a for s in stories for a in s]
    gold = [rows[a]["story"] for a in ids]
    article_names = {a: names((rows[a].get("title") or "") + ". " + (rows[a].get("text") or "")) for a in ids}
    weights = dict(zip(ids, tfidf([article_names[a] for a in ids])))
    name = os.path.basename(dataset)

    def score(groups):
        label = {a: k for k, g in enumerate(groups) for a in g}
        return b_cubed(gold, [label[a] for a in ids])

    def show(what, groups):
        print("%s  %-28s %4d groups  P %.3f  R %.3f  F1 %.3f" % ((name, what, len(groups)) + score(groups)))

    show("stories", stories)
    for split in [None] + splits:
        groups = stories
        if split is not None:
            groups = []
            for s in stories:
                if len(s) < 4 or all(dated.get(a) for a in s):
                    groups.append(s)
                    continue
                parts = [[s[i] for i in c] for c in average_linkage(len(s), lambda i, j: cosine(weights[s[i]], weights[s[j]]), split)]
                big = [p for p in parts if len(p) >= 2]
                if len(big) < 2:
                    groups.append(s)
                    continue
                for p in parts:
                    if len(p) < 2:
                        nearest = max(big, key=lambda b: sum(cosine(weights[p[0]], weights[x]) for x in b) / len(b))
                        nearest.append(p[0])
                groups += big
            show("stories split at %.2f" % split, groups)
        story_weights = tfidf([sum((article_names[a] for a in g), collections.Counter()) for g in groups])
        sim = lambda i, j: cosine(story_weights[i], story_weights[j])
        for link in links:
            lines = average_linkage(len(groups), sim, link)
            show("  storylines linked at %.2f" % link, [[a for i in line for a in groups[i]] for line in lines])
            for attach in attaches:
                joined = attach_small(lines, groups, sim, attach, margin)
                found = [[a for i in line for a in groups[i]] for line in joined]
                show("    + small stories at %.2f x%g" % (attach, margin), found)
                if show_lines:
                    for line in joined:
                        if len(line) > 1:
                            print("      storyline: " + " | ".join(rows[groups[i][0]].get("title", "")[:60] for i in line))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/storyline"))
    parser.add_argument("--split", type=float, nargs="*", default=[0.2, 0.25, 0.3])
    parser.add_argument("--link", type=float, nargs="*", default=[0.3, 0.35, 0.4])
    parser.add_argument("--attach", type=float, nargs="*", default=[0.15])
    parser.add_argument("--margin", type=float, default=2.0)
    parser.add_argument("--show", action="store_true")
    parser.add_argument("datasets", nargs="+")
    args = parser.parse_args()
    for dataset in args.datasets:
        run(args.binary, dataset, args.split, args.link, args.attach, args.margin, args.show)


if __name__ == "__main__":
    sys.exit(main())
