#!/usr/bin/env python3
"""Writes Models/stopwords/<lang>.txt for the languages other than English from the Snowball
project's stop lists (snowballstem.org, BSD-3-Clause), as Debian's liblingua-stopwords-perl
carries them (its documentation: "The stoplists supplied by this module were created as part
of the Snowball project"). English keeps its own list (Snowball's plus newsroom words).

Why: a language without a list keeps its function words, and where few articles are in that
language those words are rare in the store, so their idf is high and two unrelated stories in
that language look alike through "och", "det", "på" alone.

    tools/make-stopwords.py            # downloads the .deb with apt-get download (no install)
    tools/make-stopwords.py --deb liblingua-stopwords-perl_0.12-2_all.deb
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Lingua::StopWords module -> the ISO 639-1 code Storyline's language identifier reports.
LANGUAGES = {"DA": "da", "DE": "de", "ES": "es", "FI": "fi", "FR": "fr", "HU": "hu", "ID": "id", "IT": "it",
             "NL": "nl", "NO": "nb", "PT": "pt", "RO": "ro", "RU": "ru", "SV": "sv"}
NAMES = {"da": "Danish", "de": "German", "es": "Spanish", "fi": "Finnish", "fr": "French", "hu": "Hungarian",
         "id": "Indonesian", "it": "Italian", "nl": "Dutch", "nb": "Norwegian (Bokmål)", "pt": "Portuguese",
         "ro": "Romanian", "ru": "Russian", "sv": "Swedish"}


def words_of(module_text):
    body = re.search(r"return\s+qw\((.*?)\);", module_text, re.S)
    if not body:
        raise ValueError("no qw() list")
    out = []
    for w in body.group(1).split():
        w = unicodedata.normalize("NFKC", w).casefold()
        if w not in out:
            out.append(w)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--deb", help="liblingua-stopwords-perl .deb (default: apt-get download it)")
    ap.add_argument("--out", default=os.path.join(ROOT, "Models", "stopwords"))
    args = ap.parse_args()
    tmp = tempfile.mkdtemp()
    deb = args.deb
    if not deb:
        subprocess.check_call(["apt-get", "download", "liblingua-stopwords-perl"], cwd=tmp)
        deb = glob.glob(os.path.join(tmp, "liblingua-stopwords-perl_*.deb"))[0]
    version = os.path.basename(deb).split("_")[1]
    subprocess.check_call(["dpkg-deb", "-x", deb, os.path.join(tmp, "x")])
    base = os.path.join(tmp, "x", "usr", "share", "perl5", "Lingua", "StopWords")
    for module, code in sorted(LANGUAGES.items(), key=lambda x: x[1]):
        with open(os.path.join(base, module + ".pm"), encoding="utf-8") as f:
            words = words_of(f.read())
        with open(os.path.join(args.out, code + ".txt"), "w", encoding="utf-8") as f:
            f.write("# %s stopwords: the Snowball project's stop list (snowballstem.org, BSD-3-Clause),\n" % NAMES[code])
            f.write("# folded; from Debian's liblingua-stopwords-perl %s by tools/make-stopwords.py.\n" % version)
            for w in words:
                f.write(w + "\n")
        print("%s: %d words" % (code, len(words)), file=sys.stderr)


if __name__ == "__main__":
    main()
