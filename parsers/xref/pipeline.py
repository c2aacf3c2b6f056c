"""The spaCy side: a blank pipeline per language whose one rule component marks reference pieces.

Each piece is a span of ``doc.spans["xref"]``; each of its tokens gets the role the grammar gives
it in ``token._.xref_role`` (from the ``Matcher``'s alignments), which is all the engine reads.
"""

from __future__ import annotations

import re
from functools import cache

import spacy
from spacy.language import Language
from spacy.matcher import Matcher
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
        self.matcher = Matcher(nlp.vocab, validate=True)
        self.roles: dict[int, list[str]] = {}
        for index, pattern in enumerate(grammar.patterns):
            specs, roles = grammar.token_pattern(pattern)
            self._add(f"piece{index}", specs, roles)
        # Named acts: name key -> act id; each name is its own pattern, matched on its tokens.
        self.acts: dict[str, str | None] = {}
        for name, act in grammar.acts.items():
            words = [token.text for token in nlp.make_doc(name)]
            self.acts[name_key(words)] = act
            self._add(f"act:{name_key(words)}", [_word_spec(word) for word in words],
                      ["act_name"] * len(words))

    def _add(self, key: str, specs: list[dict], roles: list[str]) -> None:
        self.matcher.add(key, [specs])
        self.roles[self.matcher.vocab.strings[key]] = roles

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


def _word_spec(word: str) -> dict:
    """A token of a named act, matched case-insensitively and with either apostrophe."""
    lower = word.lower()
    return {"LOWER": {"IN": sorted({lower, lower.replace("’", "'"), lower.replace("'", "’")})}}


@Language.factory("xref_pieces")
def make_reference_pieces(nlp: Language, name: str) -> ReferencePieces:
    return ReferencePieces(nlp, grammars.load(nlp.lang))


@cache
def pipeline_for(lang: str) -> Language:
    """The blank ``lang`` pipeline with the label tokenizer and the piece marker, built once."""
    nlp = spacy.blank(lang)
    nlp.tokenizer = LabelTokenizer(nlp.vocab)
    nlp.add_pipe("xref_pieces")
    return nlp
