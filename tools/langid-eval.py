#!/usr/bin/env python3
"""Language identification, measured: Storyline's shipped method (the first pass of
Models/quickwords.txt, then libexttextcat) against libexttextcat's fingerprints alone, on
labeled text in 17 languages, as paragraphs and as headline-length first sentences.

The labeled set is built from Debian's translated manual pages (packages manpages and
manpages-de, -fr, -es, -it, -pl, -nl, -pt-br, -ru, -sv, -da, -fi, -hu, -ro, -cs, -el, -uk:
installed when missing, as root): prose paragraphs of 300 bytes or more, and first sentences of
40 to 110 bytes (a headline's length); paragraphs of a translated page that were left in English
(a tenth of their words English function words) are dropped as mislabeled. Man pages are technical prose with English commands and
options in every language: harder than news, which is the point.

    tools/langid-eval.py [--per-language 200] [--keep set.jsonl]

Prints one table: per language, share right / wrong / undecided for each method, and microseconds
per sample. Runs Benchmarks' storyline-bench (built in release when missing).
"""
import argparse
import glob
import gzip
import json
import os
import random
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LANGUAGES = {"en": "manpages", "de": "manpages-de", "fr": "manpages-fr", "es": "manpages-es", "it": "manpages-it",
             "pl": "manpages-pl", "nl": "manpages-nl", "pt": "manpages-pt-br", "ru": "manpages-ru", "sv": "manpages-sv",
             "da": "manpages-da", "fi": "manpages-fi", "hu": "manpages-hu", "ro": "manpages-ro", "cs": "manpages-cs",
             "el": "manpages-el", "uk": "manpages-uk"}
FOLDER = {"en": "/usr/share/man/man[1-8]", "pt": "/usr/share/man/pt_BR/man[1-8]"}


def install(packages):
    missing = [p for p in packages if subprocess.run(["dpkg-query", "-W", "-f=${Status}", p], capture_output=True, text=True).stdout.find("install ok installed") < 0]
    if missing:
        if os.geteuid() != 0:
            sys.exit("langid-eval: needs %s (as root: apt-get install -y %s)" % (" ".join(missing), " ".join(missing)))
        subprocess.check_call(["apt-get", "update", "-qq"])
        subprocess.check_call(["apt-get", "install", "-y", "-qq"] + missing, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
                              stdout=subprocess.DEVNULL)


def paragraphs(path):
    """Prose paragraphs of a man page: macro lines dropped, font and character escapes removed."""
    try:
        text = gzip.open(path, "rt", encoding="utf-8", errors="strict").read()
    except (UnicodeDecodeError, OSError, EOFError):
        return []
    out, current = [], []
    for line in text.split("\n"):
        if line.startswith((".", "'")) or not line.strip():
            if current:
                out.append(" ".join(current))
                current = []
            continue
        line = re.sub(r"\\f(\[[A-Z]*\]|[A-Z1-4])", "", line)
        line = re.sub(r"\\\((..)", " ", line).replace("\\-", "-").replace("\\e", "\\").replace("\\ ", " ").replace("\\&", "")
        line = re.sub(r"\\[*\[][^\]]*\]", " ", line)
        current.append(line.strip())
    if current:
        out.append(" ".join(current))
    return [p for p in out if p.count(" ") > 5]


ENGLISH = set("the and of to is in for with that this are be by an on from or as it can not".split())


def untranslated(paragraph):
    """Translated man pages keep some paragraphs in English: a paragraph where English function
    words make a tenth of the words is dropped from a non-English page's samples (label noise)."""
    words = re.findall(r"[A-Za-z']+", paragraph.lower())
    return len(words) > 0 and sum(w in ENGLISH for w in words) * 10 >= len(words)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-language", type=int, default=200)
    ap.add_argument("--keep", help="also write the labeled set here")
    args = ap.parse_args()
    install(list(LANGUAGES.values()))
    rng = random.Random(7)
    samples = []
    for lang in LANGUAGES:
        folder = FOLDER.get(lang, "/usr/share/man/%s/man[1-8]" % lang)
        files = sorted(glob.glob(os.path.join(folder, "*.gz")))
        rng.shuffle(files)
        texts, heads = [], []
        for f in files:
            for p in paragraphs(f):
                if lang != "en" and untranslated(p):
                    continue
                if len(p.encode("utf-8")) >= 300 and len(texts) < args.per_language:
                    texts.append(p)
                first = re.split(r"(?<=[.!?])\s", p)[0]
                if 40 <= len(first.encode("utf-8")) <= 110 and len(heads) < args.per_language:
                    heads.append(first)
            if len(texts) >= args.per_language and len(heads) >= args.per_language:
                break
        samples += [{"lang": lang, "text": t, "kind": "text"} for t in texts]
        samples += [{"lang": lang, "text": h, "kind": "headline"} for h in heads]
    out = args.keep or tempfile.mktemp(suffix=".jsonl")
    with open(out, "w", encoding="utf-8") as f:
        for s in samples:
            f.write(json.dumps(s, ensure_ascii=False) + "\n")
    bench = os.path.join(ROOT, "Benchmarks", ".build", "release", "storyline-bench")
    if not os.path.exists(bench):
        subprocess.check_call(["swift", "build", "-c", "release", "--product", "storyline-bench"], cwd=os.path.join(ROOT, "Benchmarks"))
    result = json.loads(subprocess.check_output([bench, "langid", out]))
    methods = ["shipped", "fingerprints", "quick"]
    print("%-16s %5s  %-22s %-22s %-22s" % ("kind lang", "n", "shipped R/W/U", "fingerprints R/W/U", "quick alone R/W/U"))
    keys = sorted(result["shipped"]["groups"], key=lambda k: (k.split()[0], k.split()[1] == "all", k))
    for key in keys:
        n = result["shipped"]["groups"][key]["n"]
        cells = []
        for m in methods:
            g = result[m]["groups"][key]
            cells.append("%.3f/%.3f/%.3f" % (g["right"] / n, g["wrong"] / n, g["undecided"] / n))
        print("%-16s %5d  %-22s %-22s %-22s" % (key, n, cells[0], cells[1], cells[2]))
    print("microseconds per sample: " + ", ".join("%s %.1f" % (m, result[m]["microseconds_per_sample"]) for m in methods))
    if not args.keep:
        os.remove(out)


if __name__ == "__main__":
    main()
