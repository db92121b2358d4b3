#!/usr/bin/env python3
"""A synthetic news dump with the statistics of real text, for benchmarks and peer comparisons.

Writes JSON Lines (id, outlet, published, title, text, url, story) like the dumps users have:
real words at their real frequencies (the `wordfreq` package's lists: function words, inflected
forms, a long tail), capitalized names of people and places, numbers with units, a share of
stories told in other languages (German, French, Spanish, Italian, Portuguese, Dutch, Polish,
Swedish), a share of undated articles, and no `lang` field. Each story has its own key words,
people and places; each outlet its own habits of phrasing. `story` is the gold story id, so
`storyline eval` scores the engine on it.

    pip install wordfreq numpy                     # once
    tools/gen-news.py --articles 100000 --out news100k.jsonl      # about 430 MB
    tools/gen-news.py --articles 1000000 --days 31 --out news1m.jsonl

The same arguments give the same bytes. tools/gen-corpus.py (syllable words) stays for tests
that need text whose every word is a content word.
"""
import argparse
import json
import sys
from datetime import datetime, timedelta, timezone

try:
    import numpy as np
    from wordfreq import get_frequency_dict, top_n_list
except ImportError as e:  # pragma: no cover - a message for people
    sys.exit("gen-news: needs the wordfreq and numpy packages (pip install wordfreq numpy): %s" % e)

OTHER_LANGUAGES = ["de", "fr", "es", "it", "pt", "nl", "pl", "sv"]
FIRST = """James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph
Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony Margaret Mark Sandra Donald Ashley
Steven Kimberly Paul Emily Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy
Stephanie Ronald Rebecca Edward Sharon Jason Laura Jeffrey Cynthia Ryan Kathleen Jacob Amy Gary Angela Nicholas Shirley
Eric Anna Jonathan Brenda Stephen Pamela Larry Emma Justin Nicole Scott Helen Brandon Samantha Benjamin Katherine Samuel
Christine Gregory Debra Alexander Rachel Frank Carolyn Patrick Janet Raymond Catherine Jack Maria Dennis Heather Jerry
Diane Tyler Ruth Aaron Julie Jose Olivia Adam Joyce Nathan Virginia Henry Victoria Zachary Kelly Douglas Lauren Peter
Christina Kyle Joan Noah Evelyn Ethan Judith Jeremy Megan Walter Andrea Christian Cheryl Keith Hannah Roger Jacqueline
Terry Martha Austin Gloria Sean Teresa Gerald Ann Carl Sara Harold Madison Dylan Frances Arthur Kathryn Lawrence Janice
Jordan Jean Jesse Abigail Bryan Alice Billy Judy Bruce Sophia Gabriel Grace Joe Denise Logan Amber Alan Doris Juan
Marilyn Wayne Danielle Roy Beverly Ralph Isabella Randy Theresa Eugene Diana Vincent Natalie Russell Brittany Louis
Charlotte Philip Marie Bobby Kayla Johnny Alexis Bradley Lori Ahmed Fatima Wei Mei Hiroshi Yuki Olga Igor Lars Ingrid
Pierre Sophie Carlos Lucia Giovanni Chiara Pedro Ana Jan Eva Piotr Agnieszka Omar Layla Raj Priya Kwame Amara""".split()
LAST = """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson
Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker
Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter
Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers
Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood
James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins
Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson
Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar
Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen
Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz
Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels
Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kowalski Nowak Muller Schneider Dubois Moreau Rossi
Russo Ferrari Santos Oliveira Jansen Visser Andersson Johansson Ivanov Petrov Tanaka Suzuki Wang Zhang Singh Khan Okafor""".split()
PLACES = """Springfield Riverside Fairview Madison Georgetown Arlington Salem Franklin Clinton Greenville Bristol Oxford
Ashland Burlington Manchester Milton Newport Auburn Dayton Lexington Oakland Jackson Marion Dover Hudson Kingston Lancaster
Chester Winchester Clayton Milford Troy Windsor Sheffield Leeds Glasgow Dublin Cork Lyon Marseille Nantes Hamburg Munich
Cologne Leipzig Dresden Vienna Graz Zurich Geneva Basel Milan Turin Naples Palermo Porto Lisbon Seville Valencia Bilbao
Krakow Gdansk Warsaw Prague Brno Budapest Debrecen Bucharest Sofia Athens Thessaloniki Istanbul Izmir Ankara Cairo
Alexandria Lagos Nairobi Mombasa Accra Dakar Casablanca Tunis Beirut Amman Baghdad Tehran Karachi Lahore Mumbai Delhi
Chennai Kolkata Dhaka Colombo Bangkok Hanoi Manila Jakarta Surabaya Osaka Kyoto Sapporo Busan Seoul Taipei Shanghai
Shenzhen Wuhan Chengdu Sydney Melbourne Perth Auckland Toronto Montreal Vancouver Calgary Denver Phoenix Houston Dallas
Austin Atlanta Miami Tampa Boston Chicago Detroit Seattle Portland Sacramento Fresno Tucson Memphis Nashville Louisville
Baltimore Richmond Norfolk Raleigh Charlotte Omaha Wichita Tulsa Albuquerque Lima Quito Bogota Caracas Santiago Cordoba
Rosario Montevideo Asuncion Recife Salvador Fortaleza Curitiba Manaus Havana Kingston Managua Oaxaca Monterrey Tijuana""".split()
UNITS = ["people", "percent", "million", "billion", "miles", "kilometers", "dollars", "euros", "votes", "homes", "tons", "points"]
# A story's key words are not equally frequent in its articles: weight 1/(rank+1)^0.8.
STORY_WORD_P = np.array([1 / (r + 1) ** 0.8 for r in range(14)])
STORY_WORD_P /= STORY_WORD_P.sum()
OUTLET_WORDS = ["Daily", "Times", "Post", "Herald", "Tribune", "Journal", "Wire", "News", "Gazette", "Observer", "Courier",
                "Chronicle", "Ledger", "Review", "Dispatch", "Standard", "Telegraph", "Sentinel", "Press", "Record"]


class Language:
    """A language's words by real frequency: `background` draws text, `topical` a story's key words."""

    def __init__(self, code, size):
        frequency = get_frequency_dict(code)
        words = [w for w in top_n_list(code, size * 2) if w.isalpha() and len(w) > 1 or w in ("a", "i", "y", "o", "e")][:size]
        freq = np.array([frequency[w] for w in words], dtype=np.float64)
        self.words = words
        self.p = freq / freq.sum()
        self.cdf = np.cumsum(self.p)
        self.cdf[-1] = 1.0
        # Key words of stories: content words of middling frequency (ranks 800 to 25,000).
        lo, hi = min(800, len(words) // 4), min(25000, len(words))
        self.topical = words[lo:hi]

    def draw(self, rng, n):
        """`n` words at their real frequencies."""
        return [self.words[i] for i in np.searchsorted(self.cdf, rng.random(n), side="right")]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--outlets", type=int, default=60)
    ap.add_argument("--days", type=int, default=31)
    ap.add_argument("--words", type=int, default=560, help="mean words of text per article (default 560)")
    ap.add_argument("--undated", type=float, default=0.05, help="share of articles without a date (default 0.05)")
    ap.add_argument("--other-languages", type=float, default=0.05, help="share of stories in other languages (default 0.05)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start", default="2024-03-01")
    ap.add_argument("--out")
    ap.add_argument("--id-prefix", default="n")
    ap.add_argument("--story-prefix", default="t")
    args = ap.parse_args()

    rng = np.random.default_rng(args.seed)
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    start = datetime.strptime(args.start, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    languages = {"en": Language("en", 60000)}
    for code in OTHER_LANGUAGES:
        languages[code] = Language(code, 30000)

    outlets = []
    for k in range(args.outlets):
        name = "%s %s" % (PLACES[(k * 7) % len(PLACES)], OUTLET_WORDS[k % len(OUTLET_WORDS)])
        habits = [str(w) for w in rng.choice(languages["en"].topical[:6000], 25, replace=False)]
        outlets.append((name, habits, 0.5 + rng.random() * 1.5))   # weight: some outlets publish more
    outlet_p = np.array([o[2] for o in outlets])
    outlet_p /= outlet_p.sum()

    story_cdf = np.cumsum(STORY_WORD_P)
    story_cdf[-1] = 1.0

    def sentence(words, names, habits):
        """One sentence of `words` (already drawn), with a name, a habit of the outlet, a number."""
        if names and rng.random() < 0.45:
            words.insert(int(rng.integers(0, len(words) + 1)), names[int(rng.integers(0, len(names)))])
        if habits and rng.random() < 0.3:
            words.insert(int(rng.integers(0, len(words) + 1)), habits[int(rng.integers(0, len(habits)))])
        if rng.random() < 0.15:
            words.insert(int(rng.integers(0, len(words) + 1)), "%s %s" % (f"{int(rng.integers(2, 5000)):,}", UNITS[int(rng.integers(0, len(UNITS)))]))
        if len(words) > 8 and rng.random() < 0.4:
            words[int(rng.integers(2, len(words) - 2))] += ","
        text = " ".join(words)
        return text[:1].upper() + text[1:] + "."

    def text_words(lang, n, story_words):
        """`n` words of running text: real frequencies, a tenth of them the story's key words."""
        words = lang.draw(rng, n)
        for pos in np.nonzero(rng.random(n) < 0.1)[0]:
            words[pos] = story_words[int(np.searchsorted(story_cdf, rng.random(), side="right"))]
        return words

    outlet_cdf = np.cumsum(outlet_p)
    outlet_cdf[-1] = 1.0

    written = 0
    story_number = 0
    while written < args.articles:
        story_number += 1
        size = min(int(rng.zipf(1.9)), 60, args.articles - written)
        code = "en" if rng.random() >= args.other_languages else OTHER_LANGUAGES[int(rng.integers(0, len(OTHER_LANGUAGES)))]
        lang = languages[code]
        story_words = [str(w) for w in rng.choice(lang.topical, 14, replace=False)]
        people = ["%s %s" % (FIRST[int(rng.integers(0, len(FIRST)))], LAST[int(rng.integers(0, len(LAST)))]) for _ in range(int(rng.integers(1, 4)))]
        places = [PLACES[int(rng.integers(0, len(PLACES)))] for _ in range(int(rng.integers(1, 3)))]
        names = people + places
        first_hour = rng.random() * args.days * 24
        for _ in range(size):
            written += 1
            outlet, habits, _ = outlets[int(np.searchsorted(outlet_cdf, rng.random(), side="right"))]
            if code != "en":
                habits = []
            hour = first_hour + min(rng.exponential(14.0), 24 * 6)
            n_words = max(40, int(rng.normal(args.words, args.words / 3)))
            drawn = text_words(lang, n_words, story_words)
            sentences, at = [], 0
            while at < n_words:
                n = int(rng.integers(8, 30))
                sentences.append(sentence(drawn[at:at + n], names, habits))
                at += n
            paragraphs = [" ".join(sentences[i:i + 4]) for i in range(0, len(sentences), 4)]
            title_words = [story_words[int(i)] for i in rng.choice(len(story_words), int(rng.integers(2, 5)), replace=False)]
            title_words += lang.draw(rng, int(rng.integers(2, 6)))
            rng.shuffle(title_words)
            title_words.insert(int(rng.integers(0, len(title_words) + 1)), names[int(rng.integers(0, len(names)))])
            title = " ".join(title_words)
            record = {"id": "%s%d" % (args.id_prefix, written), "outlet": outlet, "title": title[:1].upper() + title[1:],
                      "text": "\n\n".join(paragraphs),
                      "url": "https://%s.example/%s%d" % (outlet.lower().replace(" ", "-"), args.id_prefix, written),
                      "story": "%s%d" % (args.story_prefix, story_number)}
            if rng.random() >= args.undated:
                record["published"] = (start + timedelta(hours=float(hour))).strftime("%Y-%m-%dT%H:%M:%SZ")
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
