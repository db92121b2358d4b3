#!/usr/bin/env python3
"""Writes Models/loaded-words.tsv: emotionally loaded English words, for the framing report's
loaded-language share.

    python3 tools/make-loaded-words.py [--wheel vaderSentiment-3.3.2-py2.py3-none-any.whl]

Source: the VADER sentiment lexicon (Hutto & Gilbert, ICWSM 2014), MIT license, from PyPI's
vaderSentiment 3.3.2 (downloaded with pip unless --wheel is given). Each of its 7,500 entries
was rated by ten people from -4 (extremely negative) to +4 (extremely positive). Kept: the
entries made of letters only (no emoticons) whose mean rating is at least 2.0 in magnitude
(strongly loaded: "outrage", "disaster", "slam" is not), lowercased.

Why VADER: among open English lexicons of subjective or emotional words it is the one whose
license allows shipping it (MPQA's subjectivity clues are GPL, the NRC emotion lexicon is for
research only, Bing Liu's opinion lexicon has no license).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import zipfile

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--wheel")
ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "Models", "loaded-words.tsv"))
args = ap.parse_args()

wheel = args.wheel
if not wheel:
    tmp = tempfile.mkdtemp()
    subprocess.run([sys.executable, "-m", "pip", "download", "vaderSentiment==3.3.2", "--no-deps", "-q", "-d", tmp], check=True)
    wheel = os.path.join(tmp, os.listdir(tmp)[0])
with zipfile.ZipFile(wheel) as z:
    lexicon = z.read("vaderSentiment/vader_lexicon.txt").decode("utf-8")
    license_text = z.read("vaderSentiment-3.3.2.dist-info/LICENSE.txt").decode("utf-8")

kept = {}
for line in lexicon.splitlines():
    parts = line.split("\t")
    if len(parts) < 2:
        continue
    word, valence = parts[0].strip().lower(), float(parts[1])
    if word.isalpha() and word.isascii() and abs(valence) >= 2.0:
        kept[word] = valence

with open(args.out, "w") as f:
    f.write("# Emotionally loaded English words: |mean valence| >= 2.0 in the VADER sentiment lexicon\n")
    f.write("# (Hutto & Gilbert 2014; vaderSentiment 3.3.2 from PyPI). Made by tools/make-loaded-words.py.\n")
    f.write("# word<TAB>mean valence (-4..+4). The lexicon's license follows.\n#\n")
    for line in license_text.strip().splitlines():
        f.write("# " + line.rstrip() + "\n" if line.strip() else "#\n")
    for word in sorted(kept):
        f.write(f"{word}\t{kept[word]:.1f}\n")
print(f"{len(kept)} words written to {args.out}")
