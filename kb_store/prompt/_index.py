"""What a builder reads once per open snapshot: the law's structure, the recitals related to each
article (with the reason), when each decision became known and what it cites, and the concept lexicon."""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from kb_store.engine import Engine
from kb_store.prompt._concepts import Lexicon, content_stems
from kb_store.prompt._model import SourceRef, TraceQuery
from schema.ids import Kind, article_of

RECITALS_PER_ARTICLE = 3
_MIN_SIMILARITY = 0.08


@dataclass(frozen=True)
class _Cited:
    """What one decision cites, and where it was taken."""

    country: str | None
    authority: str | None
    articles: frozenset[str]


@dataclass(frozen=True)
class RecitalLink:
    recital: str
    score: float
    reason: str


def _terms(text: str) -> list[str]:
    """Meaningful stems and adjacent pairs of them: what a recital and an article can share."""
    stems = content_stems(text, "en")
    return stems + [f"{a} {b}" for a, b in zip(stems, stems[1:])]


def _vectors(texts: dict[str, str]) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    counts = {key: Counter(_terms(text)) for key, text in texts.items()}
    frequency = Counter(term for terms in counts.values() for term in terms)
    idf = {term: math.log(len(texts) / n) for term, n in frequency.items()}
    vectors = {}
    for key, terms in counts.items():
        weights = {t: (1 + math.log(n)) * idf[t] for t, n in terms.items() if idf[t] > 0}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        vectors[key] = {t: w / norm for t, w in weights.items()}
    return vectors, idf


def recital_links(articles: dict[str, str], recitals: dict[str, str],
                  references: dict[str, set[str]]) -> dict[str, list[RecitalLink]]:
    """For each article, the recitals that refer to it (``references``: recital → articles it names),
    then the most similar by shared distinctive words (TF-IDF cosine), each with the words shared."""
    vectors, _ = _vectors({**articles, **recitals})
    links: dict[str, list[RecitalLink]] = {}
    for article in sorted(articles):
        found = [RecitalLink(r, 1.0, f"{_short(r)} refers to {_short(article)}")
                 for r in sorted(recitals) if article in references.get(r, ())]
        similar = []
        for recital in sorted(recitals):
            shared = vectors[article].keys() & vectors[recital].keys()
            score = sum(vectors[article][t] * vectors[recital][t] for t in shared)
            if score >= _MIN_SIMILARITY:
                top = sorted(shared, key=lambda t: (-vectors[article][t] * vectors[recital][t], t))[:4]
                similar.append(RecitalLink(recital, round(score, 4), f"{_short(recital)} shares the stems "
                                           + ", ".join(f"‘{t}’" for t in top) + f" with {_short(article)}"))
        similar.sort(key=lambda link: (-link.score, link.recital))
        named = {link.recital for link in found}
        links[article] = (found + [s for s in similar if s.recital not in named])[:RECITALS_PER_ARTICLE]
    return links


def _short(provision_id: str) -> str:
    kind, _, number = provision_id.rsplit("/", 1)[-1].partition("_")
    return f"{'Recital' if kind == 'rct' else 'Article'} {number}"


class SnapshotIndex:
    """Read once per open snapshot; ``queries`` are the graph queries that built it."""

    def __init__(self, engine: Engine) -> None:
        self.queries: list[TraceQuery] = []
        self._engine = engine
        provisions = self._run("index.provisions", "MATCH (p:Provision) RETURN p.id AS id, p.kind AS kind, "
                               "p.ordinal AS ordinal ORDER BY ordinal, id")
        self.known = frozenset(row["id"] for row in provisions)
        self.ordinal = {row["id"]: row["ordinal"] for row in provisions}
        self.kind = {row["id"]: Kind(row["kind"]) for row in provisions}
        self.below: dict[str, list[str]] = defaultdict(list)
        for row in provisions:
            if (article := article_of(row["id"])) is not None:
                self.below[article].append(row["id"])
        self.langs = sorted(row["lang"] for row in self._run(
            "index.languages", "MATCH (v:Version) RETURN DISTINCT v.lang AS lang"))
        self.countries = [row["code"] for row in self._run(
            "index.countries", "MATCH (c:Country) RETURN c.code AS code ORDER BY code")]
        self.recitals = self._recital_links()
        self.sources = self._version_sources()
        self.cites: dict[str, list[str]] = {}  # decision → the provisions its records cite
        self._dates, self._cited = self._decisions_citing()
        self.lexicon = Lexicon.build(engine)

    def _run(self, step: str, query: str) -> list[dict]:
        rows = self._engine.execute(query)
        self.queries.append(TraceQuery(step=step, query=query, params={}, rows=len(rows)))
        return rows

    def _recital_links(self) -> dict[str, list[RecitalLink]]:
        """From the English wording in force now (the latest of each): recitals and articles are linked
        once per snapshot, whatever date a question is asked as of."""
        rows = self._run("index.wordings", "MATCH (p:Provision)-[:HAS_VERSION]->(v:Version) WHERE v.lang = 'en' "
                         "AND v.valid_to IS NULL RETURN p.id AS id, v.heading AS heading, v.text AS text ORDER BY id")
        articles: dict[str, list[str]] = defaultdict(list)
        recitals = {}
        for row in rows:
            if self.kind.get(row["id"]) is Kind.RECITAL:
                recitals[row["id"]] = row["text"]
            elif (article := article_of(row["id"])) is not None:
                articles[article] += [row["heading"] or "", row["text"]]
        references: dict[str, set[str]] = defaultdict(set)
        for row in self._run("index.recital_references",
                             "MATCH (r:Provision)-[c:CITES]->(t:Provision) WHERE r.kind = 'recital' AND NOT c.external "
                             "AND c.lang = 'en' RETURN DISTINCT r.id AS recital, t.id AS target ORDER BY recital, target"):
            if (article := article_of(row["target"])) is not None:
                references[row["recital"]].add(article)
        return recital_links({a: " ".join(t) for a, t in articles.items()}, recitals, references)

    def _version_sources(self) -> dict[str, list[SourceRef]]:
        """Every document stating each wording: what a law block's citation lists."""
        rows = self._run("index.version_sources",
                         "MATCH (v:Version)-[:STATED_IN]->(d:SourceDocument) RETURN v.id AS version, d.name AS name, "
                         "d.url AS url, d.sha256 AS sha256, d.licence AS licence, d.attribution AS attribution "
                         "ORDER BY version, name")
        found: dict[str, list[SourceRef]] = defaultdict(list)
        for row in rows:
            found[row.pop("version")].append(SourceRef(**row))
        return dict(found)

    def _decisions_citing(self) -> tuple[list[dt.date], list[_Cited]]:
        rows = self._run("index.decision_citations",
                         "MATCH (d:Decision)-[:REPORTED_BY]->(:SourceRecord)-[:RECORD_CITES]->(p:Provision) "
                         "WHERE d.known_since IS NOT NULL RETURN d.id AS id, d.known_since AS known_since, "
                         "d.country AS country, d.authority_id AS authority, collect(DISTINCT p.id) AS cites "
                         "ORDER BY known_since, id")
        self.cites = {row["id"]: sorted(row["cites"]) for row in rows}
        return ([row["known_since"] for row in rows],
                [_Cited(row["country"], row["authority"], frozenset(a for p in row["cites"] if (a := article_of(p))))
                 for row in rows])

    def prior(self, as_of: dt.date, countries: Collection[str] = (), authorities: Collection[str] = ()) -> dict[str, float]:
        """The share of decisions known by ``as_of`` that cite each article: of all of them, or of those
        in ``countries`` or of ``authorities`` when given."""
        known = self._cited[:bisect.bisect_right(self._dates, as_of)]
        if countries or authorities:
            known = [c for c in known if c.country in countries or c.authority in authorities]
        counts = Counter(article for cited in known for article in cited.articles)
        return {article: n / len(known) for article, n in counts.items()} if known else {}
