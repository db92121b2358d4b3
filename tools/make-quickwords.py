#!/usr/bin/env python3
"""Writes Models/quickwords.txt: for each language of Models/languages.conf that wordfreq knows,
its most frequent words that are at least RATIO times as frequent there as in any other listed
language (so "the" is English though English words turn up in every language's texts). Storyline's
first pass of language identification counts these in an article's first bytes and answers only
when one language clearly leads (LanguageIdentifier falls back to libexttextcat otherwise).

    pip install wordfreq && tools/make-quickwords.py      # rewrites Models/quickwords.txt
"""
import os
import sys

from wordfreq import available_languages, get_frequency_dict, top_n_list

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PER_LANGUAGE = 60      # distinctive words kept per language
OWN_TOP = 200          # taken from this many of the language's most frequent words
RATIO = 4.0            # how much more frequent in its language than in any other listed one


def main():
    codes = []
    for line in open(os.path.join(ROOT, "Models", "languages.conf"), encoding="utf-8"):
        line = line.split("#")[0].split()
        if len(line) == 2 and line[1] not in codes:
            codes.append(line[1])
    known = available_languages(wordlist="best")
    codes = [c for c in codes if c in known]
    top = {c: top_n_list(c, OWN_TOP) for c in codes}
    frequency = {c: get_frequency_dict(c) for c in codes}
    out = [
        "# Distinctive frequent words per language, for the first pass of language identification.",
        "# Made by tools/make-quickwords.py from the wordfreq package's lists: each language's most",
        "# frequent words that are at least %g times as frequent there as in any other listed language." % RATIO,
        "# One line per language: <ISO 639-1 code> <words...>.",
    ]
    for c in codes:
        def distinctive(w):
            f = frequency[c].get(w, 0)
            return all(f >= RATIO * frequency[d].get(w, 0) for d in codes if d != c)
        words = [w for w in top[c] if distinctive(w) and all(ch.isalpha() or ch in "'’" for ch in w)]
        if words:
            out.append("%s %s" % (c, " ".join(words[:PER_LANGUAGE])))
    path = os.path.join(ROOT, "Models", "quickwords.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    print("wrote %s: %d languages" % (path, len(out) - 5), file=sys.stderr)


if __name__ == "__main__":
    main()
