"""One prompt build: analyse the question, expand from its entry points in the graph, rank, pack, render."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path

from kb_store.access import Role, clearance_of
from kb_store.engine import Engine
from kb_store.manifest import Manifest
from kb_store.prompt import _rank
from kb_store.prompt._analysis import Analysis, analyse
from kb_store.prompt._fence import fence, neutralise
from kb_store.prompt._graph import Graph
from kb_store.prompt._index import SnapshotIndex
from kb_store.prompt._model import (Audience, Block, Candidate, Citation, Flag, Persona, PromptParts, PromptResult, SourceRef,
                                    Trace)
from kb_store.prompt._pack import pack, shorten
from kb_store.prompt._render import APPLIES, context_text, system_text
from kb_store.prompt._tokens import count_tokens
from kb_store.store import Store
from parsers.normalise.money import format_amount
from schema.ids import Kind, article_of

MAX_ARTICLES = 12  # a context about a dozen articles at most, not a paragraph of twenty
NEIGHBOURS = 20
LAW_HITS = 30
RECITAL_ARTICLES = 3  # the recitals of the best three articles
WHOLE_ARTICLE = 8  # the best article is quoted whole when it has at most this many paragraphs or points
DECISIONS = 8
DECISION_SUMMARY_TOKENS = 160
SMALLEST_BLOCK = 60  # below this little budget left, no block fits: stop looking
SHARES = {"provision": 0.6, "recital": 0.15, "decision": 0.25}  # of the budget left after the fixed parts
_UNIT_DECAY = 0.5  # each further unit of an article is worth half the one before, except in the best article
_HEADERS_AND_NOTE = 140  # the section headings and the note of what was left out, at most
_FTS_WORD = re.compile(r"[^\W_]{2,}")
# A lawyer reads the law's reasons next to it; the other audiences what authorities did with it first.
_LAWYER_ORDER = ["provision", "recital", "decision"]
_ORDER = ["provision", "decision", "recital"]


@dataclass
class _Unit:
    """A packable piece of law: an article's own text, a paragraph with its points, or a recital."""

    id: str
    kind: str
    lang: str
    heading: str | None
    text: str
    valid_from: dt.date
    valid_to: dt.date | None
    sources: list[SourceRef]
    priority: float = 0.0
    breadth: bool = False  # the best unit of its article: packed before any second unit of another
    reasons: list[str] = field(default_factory=list)


class PromptBuilder:
    """Builds prompts from one published snapshot, opened read-only; reuse it for many questions."""

    def __init__(self, engine: Engine, manifest: Manifest) -> None:
        self._engine = engine
        self.manifest = manifest
        self.index = SnapshotIndex(engine)
        self.count = lru_cache(maxsize=65536)(count_tokens)  # the law's wordings recur from question to question

    @classmethod
    def open(cls, store_root: Path, snapshot: str | None = None, role: Role | None = None) -> PromptBuilder:
        """``role``: build from what it may see alone (``kb_store.access``); None: everything."""
        manifest, engine = Store(Path(store_root)).open(snapshot, clearance_of(role))
        return cls(engine, manifest)

    @property
    def snapshot(self) -> str:
        return self.manifest.id

    def close(self) -> None:
        self._engine.close()

    def __enter__(self) -> PromptBuilder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def build(self, question: str, as_of: dt.date | None = None, lang: str | None = None,
              country: str | None = None, persona: Persona | None = None, budget_tokens: int = 4000) -> PromptResult:
        if country and country.upper() not in self.index.countries:
            raise LookupError(f"no country {country!r} in the graph: give an ISO 3166 alpha-2 code, one of "
                              + ", ".join(self.index.countries))
        if not question.strip():
            raise ValueError("the question is empty")
        return _Build(self, question, as_of or dt.date.today(), lang, country, persona or Persona(),
                      budget_tokens).result()


class _Build:
    def __init__(self, builder: PromptBuilder, question: str, as_of: dt.date, lang: str | None,
                 country: str | None, persona: Persona, budget: int) -> None:
        self.index, self.snapshot, self.count = builder.index, builder.snapshot, builder.count
        self.question, self.as_of, self.persona, self.budget = question, as_of, persona, budget
        self.graph = Graph(builder._engine, as_of)
        self.analysis: Analysis = analyse(question, self.index.lexicon, self.index.known, lang)
        self.lang = persona.lang or lang or self.analysis.lang
        self.read_lang = self._loaded(self.lang)
        self.countries = [country.upper()] if country else list(self.analysis.countries)
        self.weights = _rank.weights_for(len(_FTS_WORD.findall(question)))
        self.candidates: list[Candidate] = []
        self._flags_of: dict[tuple[str, str], list] = {}
        self.referenced: set[str] = set()  # provisions cross-referenced with the entry points, or defining a term

    def _loaded(self, lang: str) -> str:
        """``lang`` where the graph has the law's wording in it, else English."""
        return lang if lang in self.index.langs else "en"

    # -- entry points and expansion --------------------------------------------------------------------
    def _articles(self) -> tuple[list[_rank.ArticleScore], list[dict]]:
        scores = _rank.ArticleScores(self.index.ordinal)
        for named in self.analysis.provisions:
            scores.add(named.id, self.weights.named, f"the question names {named.matched_text!r}")
        topics = _rank.topic_votes(self.analysis.topics)
        top_topic = max(topics.values(), default=0.0)
        for hit in self.analysis.topics:
            # A defined term brings its definition, not the whole of Article 4 to the top.
            share = _rank.DEFINITION_SHARE if hit.source == "defined_term" else 1.0
            for provision in hit.provisions:
                scores.add(provision, share * self.weights.topic * hit.weight / top_topic, hit.reason)
                if hit.source == "defined_term":
                    self.referenced.add(provision)
        words = " ".join(_FTS_WORD.findall(self.question))
        if words:
            found = self.graph.law_search(words, self._loaded(self.analysis.lang), LAW_HITS)
            scores.add_votes(_rank.best_per_article(found),
                             self.weights.law_text, "its wording uses the question's words (BM25)")
        neighbours = self.graph.precedent(words, NEIGHBOURS) if words and self.as_of >= APPLIES else []
        neighbours = [dict(n, cites=self.index.cites.get(n["id"], [])) for n in neighbours]
        scores.add_votes(_rank.precedent_votes(neighbours), self.weights.precedent,
                         f"cited by earlier decisions resembling the question (top {NEIGHBOURS})")
        for article, share in sorted(self.index.prior(self.as_of).items()):
            scores.add(article, self.weights.prior * share, "share of earlier decisions citing it")
        if self.countries or self.analysis.authorities:
            local = self.index.prior(self.as_of, self.countries, self.analysis.authorities)
            for article, share in sorted(local.items()):
                scores.add(article, self.weights.local_prior * share, "share of earlier decisions of the jurisdiction citing it")
        # Cross-references of what the question names, else of the best article so far: one hop, both ways.
        entry = [p.id for p in self.analysis.provisions] or [s.article for s in scores.ranked()[:1]]
        if entry:
            for ref in self.graph.cross_references(self._below(entry), self.read_lang):
                for end in (ref["source"], ref["target"]):
                    if article_of(end) not in {article_of(e) for e in entry}:
                        scores.add(end, self.weights.cited, f"cross-referenced with {ref['source'] if end == ref['target'] else ref['target']} "
                                                     f"({ref['matched_text']!r})")
                        self.referenced.add(end)
        return scores.ranked(), neighbours

    def _below(self, ids: list[str]) -> list[str]:
        """Each id with everything under it (an article's paragraphs and points)."""
        found: set[str] = set()
        for provision in ids:
            article = article_of(provision)
            found |= {p for p in self.index.below.get(article, [provision]) if p == provision or p.startswith(provision + "/")}
        return sorted(found)

    def _law_units(self, ranked: list[_rank.ArticleScore]) -> list[_Unit]:
        kept = ranked[:MAX_ARTICLES]
        for position, entry in enumerate(ranked):
            self.candidates.append(Candidate(
                kind="article", id=entry.article, score=round(entry.score, 6), kept=position < MAX_ARTICLES,
                why="; ".join(entry.reasons) if position < MAX_ARTICLES else
                f"ranked {position + 1}, below the {MAX_ARTICLES} articles a context holds"))
        articles = [e.article for e in kept]
        recitals = sorted({link.recital for a in articles[:RECITAL_ARTICLES] for link in self.index.recitals.get(a, [])})
        rows = self.graph.units(self._below(articles) + recitals, sorted({self.read_lang, "en"}))
        wordings = _preferred_wording(rows, self.read_lang)
        units = [u for rank, entry in enumerate(kept) for u in self._article_units(
            entry, wordings, decay=1.0 if rank == 0 and self._parts(entry.article) <= WHOLE_ARTICLE else _UNIT_DECAY)]
        for rank, article in enumerate(articles[:RECITAL_ARTICLES]):  # the best article's recitals first
            for link in self.index.recitals.get(article, []):
                if (row := wordings.get(link.recital)) is not None:
                    units.append(_unit(row, self.index.sources, Kind.RECITAL, priority=RECITAL_ARTICLES - rank + link.score,
                                       reasons=[link.reason]))
        return units

    def _parts(self, article: str) -> int:
        depth = article.count("/") + 1
        return sum(p.count("/") == depth for p in self.index.below[article])

    def _article_units(self, entry: _rank.ArticleScore, wordings: dict[str, dict], decay: float) -> list[_Unit]:
        """An article as paragraphs (each with its points) when it has them, else as one unit; the paragraphs
        the question names, or that hold its words, first."""
        article = wordings.get(entry.article)
        if article is None:
            return []
        depth = entry.article.count("/") + 1
        parts = [p for p in self.index.below[entry.article] if p.count("/") == depth and
                 self.index.kind[p] in (Kind.PARAGRAPH, Kind.SUBPARAGRAPH, Kind.POINT)]
        groups = {p: [q for q in self.index.below[entry.article] if q == p or q.startswith(p + "/")] for p in parts} \
            or {entry.article: self.index.below[entry.article]}
        named = {p.id for p in self.analysis.provisions} | self.referenced
        matched = [t.matched_text.casefold() for t in self.analysis.topics]
        units = []
        for head, members in groups.items():
            rows = [wordings[m] for m in members if m in wordings and wordings[m]["text"]]
            if not rows:
                continue
            unit = _unit(rows[0] if head != entry.article else article, self.index.sources, Kind.PARAGRAPH,
                         text=" ".join(r["text"] for r in rows), heading=article["heading"])
            # The unit's wording holds while every part of it does.
            unit.valid_from = max(r["valid_from"] for r in rows)
            unit.valid_to = min((r["valid_to"] for r in rows if r["valid_to"]), default=None)
            by_document = {(s.name, s.sha256): s for r in rows for s in self.index.sources[r["version_id"]]}
            unit.sources = [by_document[k] for k in sorted(by_document)]
            is_named = bool(named.intersection(members)) or head.startswith(tuple(n + "/" for n in named))
            relevance = 2 * is_named + sum(w in unit.text.casefold() for w in matched)
            units.append((relevance, unit))
        units.sort(key=lambda pair: (-pair[0], self.index.ordinal[pair[1].id]))
        for position, (relevance, unit) in enumerate(units):
            unit.priority = entry.score * decay ** position
            unit.breadth = position == 0 or decay == 1.0
            unit.reasons = [f"article score {entry.score:.2f}", *(["named or matching the question"] if relevance else [])]
        return [u for _, u in units]

    def _decision_candidates(self, ranked: list[_rank.ArticleScore], neighbours: list[dict]) -> list[dict]:
        if self.as_of < APPLIES:
            return []
        top = [e.article for e in ranked[:3]]
        citing = self.graph.decisions_citing(self._below(top), self.countries, list(self.analysis.authorities),
                                             DECISIONS * 2) if top else []
        bm25 = {n["id"]: n["score"] for n in neighbours}
        best = max(bm25.values(), default=0.0) or 1.0
        found = {row["id"]: row for row in [*citing, *neighbours]}
        cites_top = {c["id"] for c in citing}
        scored = []
        for decision_id, row in sorted(found.items()):
            points = {"jurisdiction": _rank.JURISDICTION * (row["country"] in self.countries),
                      "precedent": _rank.PRECEDENT * bm25.get(decision_id, 0.0) / best,
                      "cites a top article": _rank.CITES_TOP * (decision_id in cites_top)}
            scored.append((sum(points.values()), row, [f"{k} (+{v:.2f})" for k, v in points.items() if v]))
        scored.sort(key=lambda s: (-round(s[0], 9), -(s[1]["decision_date"] or dt.date.min).toordinal(), s[1]["id"]))
        details: dict[str, dict] = {}
        if self.persona.sector:  # the sector reorders what is selected, never what a block says
            sector = self.persona.sector.casefold()
            details = {row["id"]: row for row in self.graph.decisions([row["id"] for _, row, _ in scored])}
            scored.sort(key=lambda s: sector not in (details[s[1]["id"]]["summary"] or "").casefold())
        for position, (score, row, why) in enumerate(scored):
            self.candidates.append(Candidate(kind="decision", id=row["id"], score=round(score, 6),
                                             kept=position < DECISIONS, decision_date=row["decision_date"],
                                             why="; ".join(why) if position < DECISIONS else
                                             f"ranked {position + 1}, below the {DECISIONS} decisions a context holds"))
        kept = scored[:DECISIONS]
        if kept and not details:
            details = {row["id"]: row for row in self.graph.decisions([row["id"] for _, row, _ in kept])}
        return [dict(details[row["id"]], score=score, reasons=why) for score, row, why in kept]

    # -- blocks, packing, rendering -------------------------------------------------------------------
    def _block(self, key: str, kind: str, provision_or_decision: str, label: str, lang: str, text: str,
               score: float, reasons: list[str], sources: list[SourceRef], **dates) -> Block:
        clean, clean_label = neutralise(text), neutralise(label)
        self._flags_of[(kind, provision_or_decision)] = clean.flags + clean_label.flags
        label = clean_label.text
        return Block(key=key, kind=kind, id=provision_or_decision, label=label, lang=lang, text=clean.text,
                     tokens=self.count(fence(key, clean.text, label)) + 1, score=round(score, 6),
                     reasons=reasons, citation=Citation(key=key, id=provision_or_decision, sources=sources),
                     **dates)

    def _law_block(self, key: str, unit: _Unit) -> Block:
        until = unit.valid_to.isoformat() if unit.valid_to else "…"
        lang_note = "" if unit.lang == self.lang else f" · {unit.lang} wording (none in {self.lang} in the graph)"
        heading = f" · {unit.heading}" if unit.heading else ""
        return self._block(key, unit.kind, unit.id, f"{unit.id}{heading} · {unit.lang} · valid {unit.valid_from}–{until}"
                           f"{lang_note}", unit.lang, unit.text, unit.priority, unit.reasons, unit.sources,
                           valid_from=unit.valid_from, valid_to=unit.valid_to)

    def _decision_block(self, key: str, row: dict) -> Block:
        facts = [f"decided {row['decision_date']} ({row['date_precision']})" if row["decision_date"]
                 else "decision date not stated", row["authority"] or "authority not stated", row["country"] or ""]
        if row["amount_minor"] is not None:
            facts.append(f"fine {format_amount(row['amount_minor'], row['currency'])}")
        if row["case_reference"]:
            facts.append(f"case {row['case_reference']}")
        summary = shorten(row["summary"] or "", DECISION_SUMMARY_TOKENS, self.count) or ""
        text = " · ".join(f for f in facts if f) + (f"\n{summary}" if summary else "")
        return self._block(key, "decision", row["id"], f"{row['id']} · as the sources report it", "", text,
                           row["score"], row["reasons"], sorted({SourceRef(**s) for s in row["sources"]},
                                                                key=lambda s: (s.name, s.sha256)), decision_date=row["decision_date"],
                           date_precision=row["date_precision"])

    def result(self) -> PromptResult:
        ranked, neighbours = self._articles()
        units = self._law_units(ranked)
        decisions = self._decision_candidates(ranked, neighbours)
        order = _LAWYER_ORDER if self.persona.audience is Audience.LAWYER else _ORDER
        system = system_text(self.persona, self.lang)
        question = neutralise(self.question)
        # The question and the whole prompt are counted afresh: caching text seen once would only fill memory.
        fixed = self.count(system) + count_tokens(question.text) + count_tokens(context_text(
            self.snapshot, self.as_of, [], order, self._notes(), [])) + _HEADERS_AND_NOTE
        room = max(self.budget - fixed, 0)
        counters = {"provision": 0, "recital": 0, "decision": 0}

        def key(kind: str) -> str:
            counters[kind] += 1
            return f"[{kind[0].upper()}{counters[kind]}]"

        law = sorted((u for u in units if u.kind != Kind.RECITAL),
                     key=lambda u: (not u.breadth, -round(u.priority, 9), self.index.ordinal[u.id]))
        recitals = sorted((u for u in units if u.kind == Kind.RECITAL), key=lambda u: (-round(u.priority, 9), u.id))
        blocks_by_kind: dict[str, list[Block]] = {}
        left_out: list[str] = []
        spare = 0
        for kind, items in (("provision", law), ("recital", recitals), ("decision", decisions)):
            share = int(room * SHARES[kind]) + spare
            made: dict[int, Block] = {}

            def block(item, kind=kind, made=made) -> Block:
                made[id(item)] = (self._decision_block(key(kind), item) if kind == "decision"
                                  else self._law_block(key(kind), item))
                return made[id(item)]

            packed = pack(items, lambda item: block(item).tokens, share, smallest=SMALLEST_BLOCK)
            spare = share - packed.tokens
            blocks_by_kind[kind] = [made[id(item)] for item in packed.kept]
            for item in packed.left_out:
                item_id, score = (item["id"], item["score"]) if kind == "decision" else (item.id, item.priority)
                left_out.append(item_id)
                self.candidates.append(Candidate(kind=kind, id=item_id, score=round(score, 6), kept=False,
                                                 why="did not fit the budget"))
        # Headings and the note were estimated, and renumbered keys change a block's size: count the whole.
        while True:
            blocks = self._renumbered(blocks_by_kind, order)
            context = context_text(self.snapshot, self.as_of, blocks, order, self._notes(), left_out)
            prompt = PromptParts(system=system, context=context, question=question.text)
            text = "\n".join((prompt.system, prompt.context, prompt.question))
            if (tokens := count_tokens(text)) <= self.budget or not blocks:
                break
            excess = tokens - self.budget
            while excess > 0 and any(blocks_by_kind.values()):  # the last law block packed goes first
                kind = next(k for k in ("provision", "recital", "decision") if blocks_by_kind[k])
                dropped = blocks_by_kind[kind].pop()
                left_out.append(dropped.id)
                excess -= dropped.tokens
        return PromptResult(
            snapshot=self.snapshot, as_of=self.as_of, lang=self.lang, persona=self.persona, budget_tokens=self.budget,
            tokens=tokens, content_hash=hashlib.sha256(text.encode()).hexdigest(), prompt=prompt,
            blocks=blocks, trace=Trace(analysis=self.analysis.model_dump(mode="json"),
                                       queries=[*self.index.queries, *self.graph.log], candidates=self.candidates,
                                       flags=self._flags(blocks, question.flags), left_out=left_out))

    def _flags(self, blocks: list[Block], in_question: list) -> list[Flag]:
        found = [("question", f) for f in in_question]
        found += [(b.key, f) for b in blocks for f in self._flags_of[(b.kind, b.id)]]
        return [Flag(block=key, kind=str(f.kind), matched=f.matched, action=f.action) for key, f in found]

    def _renumbered(self, blocks_by_kind: dict[str, list[Block]], order: list[str]) -> list[Block]:
        """Law blocks grouped by article in rank order, each article's paragraphs in the act's order; keys
        numbered in the order the context shows them."""
        law = blocks_by_kind["provision"]
        article_rank = {}
        for b in law:
            article_rank.setdefault(article_of(b.id), len(article_rank))
        law = sorted(law, key=lambda b: (article_rank[article_of(b.id)], self.index.ordinal[b.id]))
        ordered = {"provision": law, "recital": blocks_by_kind["recital"], "decision": blocks_by_kind["decision"]}
        blocks = []
        for kind in order:
            for number, b in enumerate(ordered[kind], 1):
                new_key = f"[{kind[0].upper()}{number}]"
                blocks.append(b.model_copy(update={"key": new_key, "citation": b.citation.model_copy(update={"key": new_key})}))
        return blocks

    def _notes(self) -> list[str]:
        notes = []
        if self.read_lang != self.lang:
            notes.append(f"The graph holds no {self.lang} wording of the law: it is quoted in English.")
        return notes


def _preferred_wording(rows: list[dict], lang: str) -> dict[str, dict]:
    """One wording per provision: in ``lang`` where the graph has it, else English."""
    chosen: dict[str, dict] = {}
    for row in rows:
        if row["id"] not in chosen or row["lang"] == lang:
            chosen[row["id"]] = row
    return chosen


def _unit(row: dict, sources: dict[str, list[SourceRef]], kind: Kind, priority: float = 0.0,
          reasons: list[str] | None = None, text: str | None = None, heading: str | None = None) -> _Unit:
    return _Unit(id=row["id"], kind="recital" if kind is Kind.RECITAL else "provision",
                 lang=row["lang"], heading=heading if heading is not None else row["heading"],
                 text=text if text is not None else row["text"], valid_from=row["valid_from"],
                 valid_to=row["valid_to"], sources=sources[row["version_id"]], priority=priority, reasons=reasons or [])
