"""Search tokens: character bigrams and unigrams, the index a Chinese text can be searched by.

Chinese is written without spaces and searched mostly by two-character words (道路, 采购), which
a trigram index cannot serve and PostgreSQL's text parser does not split. Debian's PostgreSQL
ships no pg_bigm, zhparser or pgroonga, so the application cuts the text itself: every pair of
neighbouring characters (and every single character, for one-character queries) becomes a lexeme
of a ``tsvector``. A query of n ≥ 2 characters needs all its n-1 bigrams; that is exact for two
characters and a superset for longer ones, which the caller rechecks against the text. No
dictionary, no segmenter: nothing to keep up to date and no word a segmenter cuts differently in
the query than in the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

SPACE = re.compile(r"\s+")
MAX_FIELD_CHARS = 20_000  # of a 200,000-character notice, the start carries what people search


def normalise(text: str) -> str:
    """Fullwidth ＡＢＣ１２ and ABC12 and abc12 are one search: NFKC, then case-folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def terms(query: str) -> list[str]:
    """The words of a query: a space separates words that must all occur, in any order."""
    return list(dict.fromkeys(t for t in SPACE.split(normalise(query)) if t))


def term_tokens(term: str) -> list[str]:
    """What the index must hold for ``term`` to occur: its bigrams, or itself if one character."""
    if len(term) == 1:
        return [term]
    return list(dict.fromkeys(term[i:i + 2] for i in range(len(term) - 1)))


def text_tokens(fields: Iterable[str | None]) -> list[str]:
    """Every unigram and bigram of every field; never a bigram across two fields or a space."""
    found: dict[str, None] = {}
    for value in fields:
        if not value:
            continue
        for word in SPACE.split(normalise(value[:MAX_FIELD_CHARS])):
            for i, char in enumerate(word):
                found[char] = None
                if i + 1 < len(word):
                    found[word[i:i + 2]] = None
    return list(found)


def haystack(fields: Iterable[str | None]) -> str:
    """The normalised text a candidate is rechecked against; fields apart, so no match spans two.

    Each field is cut at the same length as its tokens, so the recheck never finds what the
    index could not.
    """
    return "\n".join(normalise(v[:MAX_FIELD_CHARS]) for v in fields if v)


def tsquery_literal(tokens: Iterable[str]) -> str:
    """All tokens required, as ``tsquery`` input: quoted, so PostgreSQL parses nothing in them."""
    return " & ".join("'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in tokens)


def tsvector_literal(tokens: Iterable[str]) -> str:
    """The tokens as ``tsvector`` input, quoted the same way (no dictionary, no positions)."""
    return " ".join("'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in tokens)
