"""The spaCy side: a blank pipeline per language whose one rule component marks reference pieces.

Each piece is a span of ``doc.spans["xref"]``; each of its tokens gets the role the grammar gives
it in ``token._.xref_role`` (from the ``Matcher``'s alignments), which is all the engine reads.

Speed: the ``Matcher`` tries every pattern at every token, so a list of words ("IN") or a regex over
the text ("REGEX", a label) in a pattern becomes a lexeme flag, computed once per word of the
vocabulary instead of by a Python call per token (spaCy has about 50 free flags: the grammars use
up to 37; past the last free one, a spec stays as written). A text with none of the words a mention
needs is not read at all (``ReferencePieces.may_cite``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.schemas import validate_token_pattern
from spacy.tokens import Doc, Span, SpanGroup, Token

from parsers.xref import grammar as grammars
from parsers.xref.grammar import Grammar, name_key

SPANS = "xref"
Token.set_extension("xref_role", default=None, force=True)

# A bracketed label is one token, so that "6(1)(a)" reads "6" "(1)" "(a)" in every language; an
# elision keeps its apostrophe ("l’" "article"); any other punctuation stands alone ("95" "/" "46").
_TOKEN = re.compile(r"\(\w{1,5}\)|\w+['’](?=\w)|\w+|\S")


class LabelTokenizer:
    """One tokenizer for every language, so that grammars describe the same tokens."""

    def __init__(self, vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        spaces: list[bool] = []
        end = 0
        for match in _TOKEN.finditer(text):
            self._gap(text[end:match.start()], words, spaces)
            words.append(match.group())
            spaces.append(False)
            end = match.end()
        self._gap(text[end:], words, spaces)
        return Doc(self.vocab, words=words, spaces=spaces)

    @staticmethod
    def _gap(gap: str, words: list[str], spaces: list[bool]) -> None:
        """Whitespace between tokens: one space trails the token before it, the rest is a token."""
        if gap.startswith(" ") and words:
            spaces[-1], gap = True, gap[1:]
        if gap:
            words.append(gap)
            spaces.append(False)


class ReferencePieces:
    """Marks the pieces of references that a grammar's patterns and named acts match."""

    def __init__(self, nlp: Language, grammar: Grammar) -> None:
        self.matcher = Matcher(nlp.vocab, validate=False)  # validated in _add, before flags replace lists
        self.flags: dict[tuple[str, str | frozenset[str]], int] = {}
        self.roles: dict[int, list[str]] = {}
        for index, pattern in enumerate(grammar.patterns):
            self._add(f"piece{index}", *grammar.token_pattern(pattern))
        # Named acts: name key -> act id; each name is its own pattern, matched on its tokens.
        self.acts: dict[str, str | None] = {}
        first_words = set()
        for name, act in grammar.acts.items():
            words = [token.text for token in nlp.make_doc(name)]
            self.acts[name_key(words)] = act
            first_words.add(words[0].lower())
            self._add(f"act:{name_key(words)}", [_word_spec(word) for word in words],
                      ["act_name"] * len(words))
        self.triggers = None if grammar.trigger_words is None else _finder(grammar.trigger_words | first_words)

    def _add(self, key: str, specs: list[dict], roles: list[str]) -> None:
        if errors := validate_token_pattern(specs):
            raise ValueError(f"pattern {key}: {'; '.join(errors)}")
        self.matcher.add(key, [[self._cheap(spec) for spec in specs]])
        self.roles[self.matcher.vocab.strings[key]] = roles

    def _cheap(self, spec: dict) -> dict:
        """``spec`` with its list of words or its regex over the text as a lexeme flag (a list of one
        word as that word)."""
        attribute, test = next(((key, operator) for key in ("LOWER", "ORTH", "TEXT") for operator in ("IN", "REGEX")
                                if isinstance(spec.get(key), dict) and set(spec[key]) == {operator}), (None, None))
        if attribute is None:
            return spec
        rest = {key: value for key, value in spec.items() if key != attribute}
        if test == "REGEX":
            regex = spec[attribute]["REGEX"]
            flag = self._flag(attribute, regex, _matching(re.compile(regex), lower=attribute == "LOWER"))
        elif len(words := frozenset(spec[attribute]["IN"])) == 1:
            return {**rest, attribute: next(iter(words))}
        else:
            flag = self._flag(attribute, words, _among(words, lower=attribute == "LOWER"))
        return spec if flag is None else {**rest, flag: True}

    def _flag(self, attribute: str, value: str | frozenset[str], getter: Callable[[str], bool]) -> int | None:
        """The lexeme flag set on the words ``getter`` accepts, added once per attribute and value;
        None once every flag is taken."""
        if (attribute, value) not in self.flags:
            try:
                self.flags[attribute, value] = self.matcher.vocab.add_flag(getter)
            except ValueError:  # no free bit
                return None
        return self.flags[attribute, value]

    def may_cite(self, text: str) -> bool:
        """Whether ``text`` has a word some mention needs; if not, it cites nothing."""
        return self.triggers is None or self.triggers(text.lower())

    def __call__(self, doc: Doc) -> Doc:
        taken = bytearray(len(doc))
        pieces = []
        # Longest first, then leftmost, as spaCy's filter_spans: "Articles 12 to 22", not "Articles 12".
        for key, start, end, alignment in sorted(self.matcher(doc, with_alignments=True),
                                                 key=lambda m: (m[1] - m[2], m[1])):
            if any(taken[start:end]):
                continue
            taken[start:end] = b"\x01" * (end - start)
            roles = self.roles[key]
            for token, element in zip(doc[start:end], alignment):
                token._.xref_role = roles[element]
            pieces.append(Span(doc, start, end, label=key))
        doc.spans[SPANS] = SpanGroup(doc, name=SPANS, spans=sorted(pieces))
        return doc


def _among(words: frozenset[str], lower: bool) -> Callable[[str], bool]:
    """A lexeme flag's getter: whether a word (lower-cased, for a LOWER list) is one of ``words``."""
    return _on_word(words.__contains__, lower)


def _matching(regex: re.Pattern[str], lower: bool) -> Callable[[str], bool]:
    """A lexeme flag's getter: whether a word (lower-cased, for LOWER) matches ``regex``, as the
    Matcher's REGEX tests it."""
    return _on_word(lambda word: regex.search(word) is not None, lower)


def _on_word(test: Callable[[str], bool], lower: bool) -> Callable[[str], bool]:
    return (lambda string: test(string.lower())) if lower else test


def _finder(words: frozenset[str]) -> Callable[[str], bool]:
    """Whether lower-cased text has one of ``words`` as a token: words of word characters between
    word boundaries, in one regex (any other kind of alternative makes it many times slower); the
    others, like "§", as they are."""
    whole = {word for word in words if word[0].isalnum() and word[-1].isalnum()}
    marks = sorted(words - whole)
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(whole, key=len, reverse=True))) + r")\b")
    return lambda text: bool(whole) and pattern.search(text) is not None or any(mark in text for mark in marks)


def _word_spec(word: str) -> dict:
    """A token of a named act, matched case-insensitively and with either apostrophe."""
    lower = word.lower()
    return {"LOWER": {"IN": sorted({lower, lower.replace("’", "'"), lower.replace("'", "’")})}}


@Language.factory("xref_pieces", default_config={"lang": None})
def make_reference_pieces(nlp: Language, name: str, lang: str | None) -> ReferencePieces:
    return ReferencePieces(nlp, grammars.load(lang or nlp.lang))


@cache
def pipeline_for(lang: str) -> Language:
    """A pipeline with the label tokenizer and the piece marker of ``lang``'s grammar, built once.

    Its base is the language-neutral ``Language``: a language's own tokenizer data (large for some,
    like French) would only be replaced.
    """
    nlp = Language()
    nlp.tokenizer = LabelTokenizer(nlp.vocab)
    nlp.add_pipe("xref_pieces", config={"lang": lang})
    return nlp
