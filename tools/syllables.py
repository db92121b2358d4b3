"""Synthetic words for the generators (gen-corpus.py, gen-short-titles.py, gen-big-stories.py):
a number spelled in syllables, which is never an English word or stopword."""

SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"] + ["an", "el", "or", "is", "um"]


def spell(i, syllables=SYLLABLES):
    """The number `i` spelled in `syllables`, least significant first ("" for 0)."""
    parts = []
    while i:
        i, r = divmod(i, len(syllables))
        parts.append(syllables[r])
    return "".join(parts)
