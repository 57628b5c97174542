#!/usr/bin/env python3
"""Lists the words of the compound lexicon that a rendered PDF splits across
lines: for each pair of consecutive lines of `pdftotext -raw`, every lexicon
word that starts on the first and ends on the second.

    scripts/split-words.py out/bueng-khla-2566.pdf [more.pdf ...]

Prints one line per split ("page N: ดำเนิน|การ in ...") and exits 1 when there
is any, 0 when there is none. These are candidates to look at: text matching
over extracted lines also finds a word inside a longer one (เป็น|ธรรม in
เป็นธรรมชาติ) and across the lines of neighbouring table cells, and a column
narrower than a word must split it. The break audit of the tests
(tests/report/report_test.cc, LineEndsPassTheBreakAudit) is exact.
"""
import os
import subprocess
import sys

LEXICON = os.path.join(os.path.dirname(__file__), "..", "renderer", "text", "data", "compounds.txt")


def lexicon():
    words = []
    with open(LEXICON, encoding="utf-8") as f:
        for line in f:
            word = line.split("#", 1)[0].strip()
            if word:
                words.append(word)
    return words


def splits(pdf, words):
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", pdf, "-"], check=True,
                          capture_output=True, text=True).stdout
    found = []
    for page_no, page in enumerate(text.split("\f"), start=1):
        lines = [l for l in page.split("\n") if l.strip()]
        for a, b in zip(lines, lines[1:]):
            joined = a + b
            for w in words:
                start = joined.find(w)
                while start != -1:
                    if start < len(a) < start + len(w):
                        cut = len(a) - start
                        found.append((page_no, w[:cut] + "|" + w[cut:], joined[max(0, start - 15):start + len(w) + 15]))
                    start = joined.find(w, start + 1)
    return found


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    words = lexicon()
    total = 0
    for pdf in sys.argv[1:]:
        for page_no, split, context in splits(pdf, words):
            print(f"{pdf}: page {page_no}: {split} in ...{context}...")
            total += 1
    print(f"{total} lexicon words split", file=sys.stderr)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
