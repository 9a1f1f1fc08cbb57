"""The search's pure parts: how text is cut into tokens; the cursor's round trip and refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from core.errors import DomainError
from core.search import cursor as cursors
from core.search.tokens import haystack, term_tokens, terms, text_tokens, tsquery_literal


def test_text_is_cut_into_unigrams_and_bigrams_within_fields_and_words() -> None:
    tokens = text_tokens(["道路工程", "E35 01", None, ""])
    assert tokens == ["道", "道路", "路", "路工", "工", "工程", "程", "e", "e3", "3", "35", "5",
                      "0", "01", "1"]
    assert "程e" not in tokens and "5 " not in tokens and "50" not in tokens


def test_query_words_and_their_tokens() -> None:
    assert terms(" 鼓楼  道路　Ｅ３５ ") == ["鼓楼", "道路", "e35"]  # NFKC, casefold, any space
    assert terms("道路 道路") == ["道路"]
    assert term_tokens("路") == ["路"]
    assert term_tokens("道路") == ["道路"]
    assert term_tokens("滨江道路") == ["滨江", "江道", "道路"]
    assert term_tokens("000000") == ["00"]


def test_tsquery_quotes_what_postgresql_would_parse() -> None:
    assert tsquery_literal(["a'b", "c\\", "&"]) == "'a''b' & 'c\\\\' & '&'"


def test_haystack_keeps_fields_apart() -> None:
    assert haystack(["滨江", "道路", None]) == "滨江\n道路"


def test_a_long_field_is_indexed_and_rechecked_up_to_the_same_length() -> None:
    long = "甲" * 20_000 + "乙丙"
    assert "乙丙" not in text_tokens([long]) and "乙丙" not in haystack([long])


AT = datetime(2026, 11, 24, 1, 30, tzinfo=UTC)


def test_cursor_round_trip() -> None:
    c = cursors.Cursor("before", AT.astimezone(timezone(timedelta(hours=8))), 42, "f1")
    back = cursors.decode(cursors.encode(c), "f1")
    assert back == cursors.Cursor("before", AT, 42, "f1") and back.published_at == AT
    assert len(cursors.encode(c)) < cursors.MAX_CURSOR


@pytest.mark.parametrize("token", ["", ".", "x.y", "e30.123", "W10.000000000000",
                                   "W1siYSJdXQ.abcdefabcdef"])
def test_a_cursor_not_given_out_is_invalid(token: str) -> None:
    with pytest.raises(DomainError) as err:
        cursors.decode(token, "f1")
    assert err.value.code == "CURSOR_INVALID"


def test_a_tampered_or_foreign_cursor_is_refused() -> None:
    token = cursors.encode(cursors.Cursor("after", AT, 42, "f1"))
    body, check = token.split(".")
    with pytest.raises(DomainError) as err:
        cursors.decode(body + "." + check[::-1], "f1")
    assert err.value.code == "CURSOR_INVALID"
    with pytest.raises(DomainError) as err:
        cursors.decode(token, "f2")
    assert err.value.code == "CURSOR_STALE"
