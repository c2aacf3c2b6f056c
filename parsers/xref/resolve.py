"""From marked pieces to cross-references: the language-independent engine.

1. Adjacent pieces chain into one *mention*; a conjunction word between them ("Article 6 and
   Article 7") starts a new one. ``of`` splits a mention into segments, written innermost first
   ("point (a) | of Article 9(2)"); inside a segment levels come outermost first ("Artikel 9
   Absatz 2 Buchstabe a", "Article 9(2)", "6. cikk (1) bekezdés a) pont"). An act or anchor
   qualifies the levels written after it as well as those before it ("GDPR 6. cikk", "e rendelet
   6. cikke"); coordinated mentions share it in the direction it is written: the act after the
   last of them qualifies those before it ("Article 26(2) or Article 25(6) of Directive 95/46/EC"),
   the act before the first of them those after it ("GDPR 37. cikk (4) bekezdése és 38. cikk (5)").
2. Each level's run of labels expands into paths: "12 to 22" is eleven, "83(4), (5) and (6)" three;
   a label right after another one is a level deeper ("6(1)(a)", "6.1.a)"), its kind implied; a
   label after a separator continues the level last written alike ("5 (1) a), c)": two points).
3. Each path resolves from an origin — the citing provision, or what an anchor names (this Article,
   an act, the act or provision cited just before) — to the finest id the text states that exists.
   Text outside any act (a decision, a fine record) has no origin of its own: only what names its
   act resolves there.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from spacy.tokens import Doc, Span, Token

from parsers.xref.grammar import LEVELS, Grammar, name_key
from parsers.xref.pipeline import SPANS
from schema.ids import SEGMENT_PREFIX, act_id, act_of

# The kinds a label right after a label of this kind can be: "Article 6(1)" is a paragraph,
# "Article 4(11)" a point (Article 4 has no paragraphs); the first kind that exists wins.
_DEEPER = {"art": ("par", "pnt"), "par": ("pnt",), "sub": ("pnt",), "pnt": ("pnt",)}
# What a unit of each kind can sit in: the ancestors of the origin searched, innermost first.
_CONTAINERS = {"cpt": {"act"}, "art": {"act"}, "rct": {"act"}, "sct": {"cpt"}, "par": {"art"},
               "sub": {"par", "art"}, "pnt": {"pnt", "sub", "par", "art"}}
_ANCHORS = frozenset({"this_act", "this_art", "this_par", "that_act", "thereof"})
_QUALIFIERS = _ANCHORS | {"act_type", "act_name"}  # once after a level, the mention takes no more levels
_ACT = re.compile(r"^eu/(reg|dir|dec)/\d{4}/\d+")
_SENTENCE_ENDS = frozenset({".", "!", "?", ";"})
_FULL_YEAR = re.compile(r"(19[5-9]|20\d)\d")
_YEAR = re.compile(r"\d{2}|(19[5-9]|20\d)\d")
_PREFIXES = frozenset(SEGMENT_PREFIX.values())
assert _PREFIXES >= set(LEVELS)
_NAMES = {"cpt": "chapter", "sct": "section", "art": "article", "rct": "recital", "par": "paragraph",
          "sub": "subparagraph", "pnt": "point"}

Step = tuple[tuple[str, ...], str]  # (kinds to try, label)


@dataclass
class Level:
    kind: str
    labels: list[Token] = field(default_factory=list)


@dataclass
class Mention:
    start: int  # token indices
    end: int
    levels: list[Level]  # outermost first
    anchor: str | None = None  # a role of _ANCHORS, "act" or "act_name"
    act: str | None = None  # the act an "act" or "act_name" anchor names
    act_name: str | None = None
    leading: bool = False  # the anchor is written before the levels: "GDPR 6. cikk"

    @property
    def outer(self) -> str | None:
        return self.levels[0].kind if self.levels else None

    def qualify_as(self, other: Mention) -> None:
        self.anchor, self.act, self.act_name, self.leading = other.anchor, other.act, other.act_name, other.leading


class Found(NamedTuple):
    """One target of one mention: the fields of a ``CrossReference`` the text decides."""

    start: int  # character offsets
    end: int
    target_id: str | None
    external: bool
    reason: str | None


@dataclass
class Context:
    """What resolving one text needs besides its mentions, and what it remembers from one to the next."""

    citing_id: str
    known_ids: frozenset[str] | set[str]
    home: str | None  # the act the citing provision belongs to
    last_act: str | None = None
    last_act_name: str | None = None  # the name of the act named last, when it has no id
    last_target: str | None = None


def find(doc: Doc, grammar: Grammar, acts: dict[str, str | None], citing_id: str,
         known_ids: frozenset[str] | set[str]) -> list[Found]:
    """The references of a doc marked by the ``xref_pieces`` component, one per target."""
    context = Context(citing_id, known_ids, act_of(citing_id) if _ACT.match(citing_id) else None)
    found: dict[tuple, Found] = {}
    mentions = _coordinate(_mentions(doc, grammar, acts), doc, grammar)
    if context.home is None:
        _carry_leading_acts(mentions, doc)
    for mention in mentions:
        for reference in _resolve(mention, doc, grammar, context):
            found.setdefault((reference.target_id, reference.reason, reference.start), reference)
    return list(found.values())


# -- 1. mentions ---------------------------------------------------------------------------------
@dataclass
class Chain:
    """Adjacent pieces becoming one mention, and what they have stated so far."""

    pieces: list[Span] = field(default_factory=list)
    level: str | None = None  # the kind of the last level in the current segment
    outer: str | None = None  # the kind of the first level in the current segment
    within: str | None = None  # the outer kind of the segment before "of": the next one must hold it
    leveled: bool = False  # a level was stated
    qualified: bool = False  # an act or anchor came after a level: "Article 6 of this Regulation"
    named: bool = False  # an act was named

    def add(self, piece: Span) -> None:
        self.pieces.append(piece)
        for token in piece:
            role = token._.xref_role
            self.qualified = self.qualified or (self.leveled and role in _QUALIFIERS)
            self.leveled = self.leveled or role in LEVELS
            self.named = self.named or role in ("act_type", "act_name")
            if role == "of":
                self.within, self.outer, self.level = self.outer or self.within, None, None
            elif role in LEVELS and self.outer and _holds(role, self.outer):  # a container, as if after "of"
                self.within, self.outer, self.level = self.outer, role, role
            elif role in LEVELS:
                self.outer, self.level = self.outer or role, role

    def takes(self, piece: Span, grammar: Grammar) -> bool:
        """Whether ``piece`` goes on this mention. It must be adjacent and not follow "and", "or",
        "to". After a bare comma only a level, "of" or a named act goes on ("article 26,
        paragraphe 2, de la directive", "artikel 5, eerste lid, AVG"; not "Articles 12 to 22,
        Directive 95/46/EC"). A level goes on only inside the level before it ("Artikel 9 Absatz 2",
        not "Chapter V, Article 1") or around it, as its container ("a-lið 1. mgr. 6. gr."), after "of" only around the one before it ("point (a) of Article
        9", not "artikel 13) I artikel 13"), and never once an act or anchor has qualified the
        mention; an act, only if none was named yet."""
        last = self.pieces[-1]
        if piece.start != last.end:
            return False
        separators = list(itertools.takewhile(lambda token: _is_separator(token, grammar), reversed(last)))
        first = piece[0]._.xref_role
        if any(token.is_alpha for token in separators) or (self.named and first in ("act_type", "act_name")):
            return False
        if separators and first not in (*LEVELS, "ord", "skip", "of", "act_name"):
            return False
        opens = next((token._.xref_role for token in piece if token._.xref_role in LEVELS), None)
        if opens is None:
            return True
        if self.qualified:
            return False
        if self.level is None:
            return self.within is None or opens in _CONTAINERS[self.within]
        # Around the level before it only when nothing separates them: "a-lið 1. mgr. 6. gr.", not "Z 13, Art. 33".
        return self.level in _CONTAINERS[opens] or not separators and _holds(opens, self.outer)


def _mentions(doc: Doc, grammar: Grammar, acts: dict[str, str | None]) -> list[Mention]:
    chains: list[Chain] = []
    for piece in doc.spans[SPANS]:
        if not chains or not chains[-1].takes(piece, grammar):
            chains.append(Chain())
        chains[-1].add(piece)
    mentions = (_mention(doc[chain.pieces[0].start:chain.pieces[-1].end], grammar, acts) for chain in chains)
    return [mention for mention in mentions if mention]


def _is_separator(token: Token, grammar: Grammar) -> bool:
    return token._.xref_role in ("val", "ord") and token.lower_ in grammar.run_words


def _mention(span: Span, grammar: Grammar, acts: dict[str, str | None]) -> Mention | None:
    tokens = _trimmed(_labels_ended(list(span), grammar), grammar)
    if not tokens:
        return None
    segments: list[list[Level]] = [[]]
    ordinals: list[Token] = []  # waiting for the level they number: "the [second] subparagraph"
    act: dict[str, str] = {}
    name: list[Token] = []
    anchor = None
    leading = False  # an act or anchor came before any level
    for token in tokens:
        role = token._.xref_role
        leading = leading or (role in (*_ANCHORS, "act_type", "act_name") and not any(segments))
        if role == "of":
            segments.append([])
        elif role in LEVELS:
            if segments[-1] and _holds(role, segments[-1][-1].kind):  # a genitive: "druhom pododseku odseku 1"
                segments.append([])
            segments[-1].append(Level(role, ordinals))
            ordinals = []
        elif role == "val" and segments[-1]:
            segments[-1][-1].labels.append(token)
        elif role == "ord":
            if ordinals and _adjacent_labels(ordinals[-1], token, grammar):
                ordinals = []  # labels before their word never nest: "(EU) 2016/[679] 5 artiklan", "irányelv [9] 29. cikke"
            ordinals.append(token)
        elif role in _ANCHORS:
            anchor = anchor or role
        elif role in ("act_type", "act_year", "act_number"):
            act[role] = token.lower_
        elif role == "act_name":
            name.append(token)
    levels = [level for segment in reversed(segments) for level in segment]
    mention = Mention(tokens[0].i, tokens[-1].i + 1, levels, anchor, leading=leading)
    if len(act) == 3:
        mention.anchor = "act"
        if numbers := _year_and_number(act["act_year"], act["act_number"]):
            mention.act = act_id(grammar.act_types[act["act_type"]], _year(numbers[0]), numbers[1])
        mention.act_name = "".join(token.text_with_ws for token in span).strip() if not numbers else None
    elif name:
        mention.anchor, mention.act = "act_name", acts[name_key([token.text for token in name])]
        mention.act_name = "".join(token.text_with_ws for token in name).strip()
    return mention if mention.levels or mention.anchor in ("act", "act_name") else None


def _adjacent_labels(before: Token, token: Token, grammar: Grammar) -> bool:
    """Two labels with nothing between them (no separator, no filler)."""
    return before.i + 1 == token.i and all(
        label.text[:1].isalnum() and label.lower_ not in grammar.run_words for label in (before, token))


def _holds(kind: str, inner: str) -> bool:
    """Whether a level of ``kind`` written after one of ``inner`` is the unit holding it: "the second
    subparagraph of paragraph 1" written in the genitive with no word for "of", as the Slavic
    languages do ("druhom pododseku odseku 1", "písmeno h) prvého pododseku")."""
    return kind != inner and kind in _CONTAINERS[inner]


def _trimmed(tokens: list[Token], grammar: Grammar) -> list[Token]:
    """Without the connectors, separators and full stops a mention starts or ends with: "of [Article
    6] and", "[artikel 58.2 a–h och j]. Vidare"."""
    start, end = 0, len(tokens)
    while start < end and tokens[start]._.xref_role in ("of", "skip"):
        start += 1
    while end > start and (tokens[end - 1]._.xref_role in ("of", "skip") or _is_separator(tokens[end - 1], grammar)
                           or tokens[end - 1].text == "." and tokens[end - 1]._.xref_role != "act_name"):  # "Ptk."
        end -= 1
    return tokens[start:end]


def _labels_ended(tokens: list[Token], grammar: Grammar) -> list[Token]:
    """Where a run of labels ends before its last token, so does the mention. Once a run closes a
    label with ")", its later labels are closed too: the "a" of "point c) ou e), a été" is a verb.
    A full stop and a space end a sentence, not a label: "artículo 68. 5. La autoridad"."""
    closed = False
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if token._.xref_role != "val":
            closed = False
        elif token.text == ")":
            closed = True
        elif closed and token.is_alpha and not _is_separator(token, grammar) and (
                following is None or following.text != ")"):
            return tokens[:index]
        elif token.text == "." and token.whitespace_ and (
                following is not None and following._.xref_role == "val"):
            return tokens[:index]
    return tokens


def _year_and_number(year: str, number: str) -> tuple[str, str] | None:
    """The year and number of an act written as "765/2008" where the pattern expected "2016/679": a
    second number that is a year after a first that is not one is the year ("Regula (EK) 765/2008",
    "(EK) 322/97"); None when neither is a year."""
    if _FULL_YEAR.fullmatch(number) and not _FULL_YEAR.fullmatch(year) or (
            not _YEAR.fullmatch(year) and _YEAR.fullmatch(number)):
        year, number = number, year
    return (year, number) if _YEAR.fullmatch(year) else None


def _year(year: str) -> str:
    """The full year of an act numbered the old way ("95/46/EC")."""
    return year if len(year) == 4 else f"{19 if int(year) > 50 else 20}{year}"


def _coordinate(mentions: list[Mention], doc: Doc, grammar: Grammar) -> list[Mention]:
    """Mentions joined by "and", "or", a comma share what one of them states once:
    "Artikel 56 Absatz 1 oder Absatz 4" is Article 56(4); in "Article 26(2) or Article 25(6) of
    Directive 95/46/EC" both articles are the directive's; in "pointe (c) agus pointe (e) de mhír 1"
    both points are paragraph 1's, and in "il primo comma, lettere a), b) e c), e il secondo comma del
    paragrafo 1" both subparagraphs."""
    pairs = [(before, after) for before, after in itertools.pairwise(mentions)
             if all(token.lower_ in grammar.conjunctions | grammar.fillers or token._.xref_role in ("of", "skip")
                    for token in doc[before.end:after.start])]
    for before, after in pairs:
        if after.anchor is None and after.outer in (level.kind for level in before.levels[1:]):
            after.levels = [*itertools.takewhile(lambda level: level.kind != after.outer, before.levels),
                            *after.levels]
            after.qualify_as(before)
    for before, after in reversed(pairs):
        if before.anchor is None and before.outer in (level.kind for level in after.levels[1:]):
            before.levels = [*itertools.takewhile(lambda level: level.kind != before.outer, after.levels), *before.levels]
            before.qualify_as(after)
    for before, after in pairs:
        if _shares_act(before, after) and before.leading:
            after.qualify_as(before)
    for before, after in reversed(pairs):
        if _shares_act(after, before) and not after.leading:
            before.qualify_as(after)
    return mentions


def _carry_leading_acts(mentions: list[Mention], doc: Doc) -> None:
    """Outside any act, a provision that names no act is of the act written before the provision
    cited last in its sentence: "az általános adatvédelmi rendelet 5. cikke értelmében …, másrészt a
    6. cikk szerinti jogalap" (Article 6 of the GDPR). An act written after its provisions ("Art. 6
    DSGVO") or alone ("the GDPR") is carried to nothing."""
    last: Mention | None = None
    for mention in mentions:
        if last is not None and any(token.text in _SENTENCE_ENDS and token._.xref_role != "act_name"
                                    for token in doc[last.end:mention.start]):
            last = None
        if mention.anchor is None and last is not None:
            mention.qualify_as(last)
        if mention.leading and mention.levels and mention.anchor in ("act", "act_name"):
            last = mention


def _shares_act(named: Mention, unnamed: Mention) -> bool:
    """Whether ``unnamed``, coordinated with ``named``, is an article of the act ``named`` names."""
    return named.anchor in ("act", "act_name", "that_act") and unnamed.anchor is None \
        and named.outer == unnamed.outer == "art"


# -- 2. paths ------------------------------------------------------------------------------------
def _paths(levels: list[Level], grammar: Grammar) -> list[list[Step]]:
    paths: list[list[Step]] = [[]]
    for level in levels:
        if expanded := _level_paths(level, grammar):
            paths = [path + tail for path in paths for tail in expanded]
    return paths


# What closes a label: "a)", and the quotes of Bulgarian „и“, a point, not the word "and".
_CLOSERS = frozenset({")", "“", "”"})


def _level_paths(level: Level, grammar: Grammar) -> list[list[Step]]:
    """The paths a level's labels state: "12 to 22" → [12], [13] … [22]; "6(1)(a)" → [6, 1, a]."""
    out: list[list[Step]] = []
    path: list[Step] = []
    shapes: list[tuple[bool, ...]] = []  # how each label of ``path`` is written
    depth, after = 0, None  # after: what the last meaningful token was ("label", "sep", "range")
    for previous, token, following in zip([None, *level.labels], level.labels, [*level.labels[1:], None]):
        word = token.lower_
        closed = following is not None and following.text in _CLOSERS  # a label, even one spelt like "to"
        if word in grammar.fillers and not closed:  # Hungarian "a": "a 13. és a 14. cikk", "a) pont"
            continue
        if word in grammar.ranges and not closed:  # Spanish "a": "artículos 15 a 22", "6.1.a)"
            after = "range"
        elif word in grammar.conjunctions and not closed or word in _CLOSERS and after == "label":
            after = "sep"  # a label closed by ")" has no deeper one: "a) f)" are two points
        elif any(char.isalnum() for char in word):  # not the ")" of "a)" nor the "." of "6.1.a)"
            label = grammar.ordinals.get(word) or grammar.latin_letters.get(word.strip("()"), token.text.strip("()"))
            shape = _shape(previous, token, closed)
            if after != "label" and path:  # the level of the last label written alike, else the last one
                depth = next((at for at in reversed(range(len(path))) if shapes[at] == shape), depth)
                between = _between(path[depth][1], label) if after == "range" else []
                after = "label" if between is None else after  # "38-4": a dash between levels
            if after == "label":  # "6(1)": a level deeper
                kinds = _DEEPER.get(path[-1][0][0])
                if kinds is None:
                    break
                depth = len(path)
            else:
                kinds = path[depth][0] if path else grammar.kinds.get(level.kind, (level.kind,))
            if after == "range":
                out.extend(path[:depth] + [(kinds, middle)] for middle in between)
            new = path[:depth] + [(kinds, label.lower() if kinds[0] == "pnt" else label)]
            if out and out[-1] == new[:-1]:
                out[-1] = new  # "6" was the start of "6(1)"
            else:
                out.append(new)
            path, shapes, after = new, [*shapes[:depth], shape], "label"
    return out


def _shape(previous: Token | None, token: Token, closed: bool) -> tuple[bool, ...]:
    """How a label is written: in brackets "(1)", closed "a)", after a dot ".1", a number or not."""
    dotted = previous is not None and previous.text == "."
    return token.text.startswith("("), closed, dotted, token.text.strip("(")[:1].isdigit()


_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50}


def _between(low: str, high: str) -> list[str] | None:
    """The labels strictly between the ends of a range: 12..22, (a)..(h), (i)..(iv), II..V; None
    when ``high`` does not come after ``low``: then the dash is no range ("38-4", "37-1-a)")."""
    roman = len(low) > 1 or len(high) > 1 or f"{low}{high}".lower() in ("iv", "ix")  # (i) to (v): not letters
    if low.isdigit() and high.isdigit():
        first, last, label = int(low), int(high), str
    elif roman and _is_roman(low) and _is_roman(high):
        first, last = _roman_value(low), _roman_value(high)
        label = _roman if low.isupper() else lambda value: _roman(value).lower()
    elif len(low) == len(high) == 1 and low.isalpha() and high.isalpha():
        first, last, label = ord(low.lower()), ord(high.lower()), chr
    else:
        return None
    return [label(value) for value in range(first + 1, last)] if last > first else None


def _is_roman(label: str) -> bool:
    return bool(label) and all(char in _ROMAN for char in label.lower())


def _roman_value(label: str) -> int:
    values = [_ROMAN[char] for char in label.lower()]
    return sum(-value if value < following else value for value, following in zip(values, values[1:] + [0]))


def _roman(number: int) -> str:
    out = ""
    for value, numeral in ((50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, number = divmod(number, value)
        out += numeral * count
    return out


# -- 3. resolution -------------------------------------------------------------------------------
def _resolve(mention: Mention, doc: Doc, grammar: Grammar, context: Context) -> Iterator[Found]:
    start = doc[mention.start].idx
    end = doc[mention.end - 1].idx + len(doc[mention.end - 1])

    def found(target: str | None, reason: str | None = None, external: bool = False) -> Found:
        external = external or (target is not None and act_of(target) != context.home)
        return Found(start, end, target, external, reason)

    if mention.anchor == "that_act" and (context.last_act or context.last_act_name):  # as if named again
        mention.anchor = "act" if context.last_act else "act_name"
        mention.act, mention.act_name = context.last_act, context.last_act_name
    origin, why = _origin(mention, context)
    if mention.anchor in ("act", "act_name"):  # named last, even without an id: "la LOPDGDD, en su artículo 72"
        context.last_act, context.last_act_name = mention.act, None if mention.act else mention.act_name
    if origin is None:
        yield found(None, why, external=mention.anchor == "act_name")
    elif not mention.levels:  # a whole act: "Directive 95/46/EC"
        if origin != context.home:
            yield found(origin)
    else:
        targets = [_target(origin, path, context) for path in _paths(mention.levels, grammar)]
        yield from (found(target, reason) for target, reason in targets)
        context.last_target = next((target for target, _ in targets if target), context.last_target)


def _origin(mention: Mention, context: Context) -> tuple[str | None, str]:
    """Where the mention's outermost level is looked for; or None, and why there is none."""
    match mention.anchor:
        case "act" | "act_name":
            return mention.act, f"no id for the act {mention.act_name!r}"
        case "this_act":
            return context.home, f"{context.citing_id} is in no act"
        case "this_art" | "this_par":
            kind = mention.anchor.removeprefix("this_")
            unit = next((unit for unit, of_kind in _ancestors(context.citing_id) if of_kind == kind), None)
            return unit, f"{context.citing_id} is in no {_NAMES[kind]}"
        case "that_act":
            return None, "refers to an act named before, and none was"
        case "thereof":
            return context.last_target, "refers to a provision cited before, and none was"
    if context.home is None:
        return None, f"names no act, and {context.citing_id} is in none"
    return context.citing_id, ""


def _target(origin: str, path: list[Step], context: Context) -> tuple[str | None, str | None]:
    """The first existing id the path can be from ``origin``'s ancestors; else why there is none."""
    outer = path[0][0][0]
    candidates = [_join(unit, kinds, path) for unit, kind in _ancestors(origin) if kind in _CONTAINERS[outer]
                  for kinds in itertools.product(*(kinds for kinds, _ in path))]
    if not candidates:
        return None, f"no {_NAMES[outer]} can be found from {origin}"
    if found := next((candidate for candidate in candidates if candidate in context.known_ids), None):
        return found, None
    act = act_of(candidates[0])
    if act != context.home and not any(known.startswith(f"{act}/") for known in context.known_ids):
        return candidates[0], None  # an act whose provisions are not known: the text is all there is
    return None, f"no such provision {candidates[0]}"


def _join(unit: str, kinds: Iterable[str], path: list[Step]) -> str:
    """The id of ``path`` under ``unit``; a first subparagraph is its container's own text."""
    for kind, (_, label) in zip(kinds, path):
        if kind != "sub" or label != "1":
            unit = f"{unit}/{kind}_{label}"
    return unit


def _ancestors(unit_id: str) -> list[tuple[str, str]]:
    """``unit_id`` and the units holding it, innermost first, each with its kind ("act" for the act)."""
    if not _ACT.match(unit_id):
        return []
    segments = unit_id.split("/")
    out = [("/".join(segments[:4]), "act")]
    for length in range(5, len(segments) + 1):
        kind = segments[length - 1].split("_", 1)[0]
        if kind not in _PREFIXES:
            break
        out.append(("/".join(segments[:length]), kind))
    return out[::-1]
