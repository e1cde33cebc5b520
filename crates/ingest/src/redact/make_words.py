#!/usr/bin/env python3
"""Writes common-words.txt and names.txt beside this script from SCOWL, the Spell Checker Oriented Word Lists
(Debian package `scowl`, /usr/share/dict/scowl), sizes 10 to 50: the redactor's lexicon (see lexicon.rs).

common-words.txt: lower-case English words (English, British and American spellings, contractions), without
  possessives, less the words that are also people's or places' names and rarer than SCOWL size 20 ("tom",
  "hazel", "terry"), so that a lower-case name after "nurse" is not mistaken for a word.
names.txt: names of people and places (SCOWL's capitalised words), lower-cased.

Run: apt-get install scowl && python3 make_words.py
"""
import os

SCOWL = "/usr/share/dict/scowl"
HERE = os.path.dirname(os.path.abspath(__file__))
NOTICE = """# Derived from SCOWL (Spell Checker Oriented Word Lists) by make_words.py; do not edit by hand.
# Copyright 2000-2011 by Kevin Atkinson. Permission to use, copy, modify, distribute and sell these word
# lists, the associated scripts, the output created from the scripts, and its documentation for any
# purpose is hereby granted without fee, provided that the above copyright notice appears in all copies
# and that both that copyright notice and this permission notice appear in supporting documentation.
# Kevin Atkinson makes no representations about the suitability of this array for any purpose. It is
# provided "as is" without express or implied warranty.
"""


def load(names):
    words = set()
    for name in names:
        path = os.path.join(SCOWL, name)
        if not os.path.exists(path):
            continue
        with open(path, encoding="latin-1") as f:
            for line in f:
                word = line.strip()
                if word and not word.endswith("'s"):
                    words.add(word)
    return words


def main():
    sizes = ["10", "20", "35", "40", "50"]
    spellings = ["english", "british", "american"]
    words = load([f"{s}-words.{n}" for s in spellings for n in sizes]
                 + [f"english-contractions.{n}" for n in sizes])
    top20 = load([f"{s}-words.{n}" for s in spellings for n in ["10", "20"]])
    upper = load([f"{s}-{kind}.{n}" for s in spellings for kind in ["upper", "proper-names"] for n in sizes])
    names = {w.lower() for w in upper if w[0].isupper() and not w.isupper()}
    common = {w for w in words if w == w.lower()}
    common -= {w for w in common if w in names and w not in top20}
    for file, items in [("common-words.txt", common), ("names.txt", names)]:
        with open(os.path.join(HERE, file), "w", encoding="utf-8") as f:
            f.write(NOTICE)
            for w in sorted(items):
                f.write(w + "\n")


if __name__ == "__main__":
    main()
