"""The graph queries a prompt build runs, each one logged with its step, parameters and row count.

Every query filters by the question's date before anything is ranked: law in the wording valid on
``as_of``, decisions only once they are known to have been decided (see ``_VISIBLE``).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from kb_store.engine import Engine
from kb_store.prompt._model import TraceQuery

# A wording (or an edge read from one) valid on $as_of.
_IN_FORCE = "{x}.valid_from <= $as_of AND ({x}.valid_to IS NULL OR {x}.valid_to > $as_of)"

# A decision counts as of $as_of once it is known to have been taken by then (``Decision.known_since``: the
# end of its date's period, or for an undated one the day a document reporting it was fetched).
_VISIBLE = "d.known_since <= $as_of"

_DOCUMENT = "{{name: {d}.name, url: {d}.url, sha256: {d}.sha256, licence: {d}.licence, attribution: {d}.attribution}}"


def _shown(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)


class Graph:
    """The read queries of one build, run on an open snapshot; ``log`` is what ran, in order."""

    def __init__(self, engine: Engine, as_of: dt.date) -> None:
        self._engine = engine
        self._as_of = as_of
        self.log: list[TraceQuery] = []

    def _run(self, step: str, query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        rows = self._engine.execute(query, params)
        self.log.append(TraceQuery(step=step, query=query, params={k: _shown(v) for k, v in params.items()},
                                   rows=len(rows)))
        return rows

    def units(self, ids: list[str], langs: list[str]) -> list[dict[str, Any]]:
        """Wordings valid on as_of of the provisions ``ids``, in ``langs``."""
        # Each provision looked up by its key, then its versions: not every version of every language
        # scanned and tested against the list (four times slower on the 24 languages).
        return self._run(
            "law.units",
            "UNWIND $ids AS wanted MATCH (p:Provision {id: wanted})-[:HAS_VERSION]->(v:Version) "
            f"WHERE list_contains($langs, v.lang) AND {_IN_FORCE.format(x='v')} "
            "RETURN v.provision_id AS id, v.id AS version_id, v.lang AS lang, v.heading AS heading, "
            "v.text AS text, v.valid_from AS valid_from, v.valid_to AS valid_to ORDER BY id, lang",
            {"ids": list(dict.fromkeys(ids)), "langs": langs, "as_of": self._as_of})

    def cross_references(self, ids: list[str], lang: str) -> list[dict[str, Any]]:
        """CITES edges, both ways, of the provisions ``ids``, as read in the wordings valid on as_of."""
        return self._run(
            "law.cross_references",
            "MATCH (s:Provision)-[c:CITES]->(t:Provision) WHERE c.lang = $lang AND NOT c.external "
            f"AND (list_contains($ids, s.id) OR list_contains($ids, t.id)) AND {_IN_FORCE.format(x='c')} "
            "RETURN s.id AS source, t.id AS target, c.matched_text AS matched_text ORDER BY source, target",
            {"ids": ids, "lang": lang, "as_of": self._as_of})

    def precedent(self, words: str, top: int) -> list[dict[str, Any]]:
        """Decisions known by as_of whose summaries resemble ``words`` (BM25), best first."""
        return self._run(
            "precedent.search",
            "CALL QUERY_FTS_INDEX('Decision', 'decision_summary', $words, top := $pool) WITH node AS d, score "
            f"WHERE {_VISIBLE} RETURN d.id AS id, d.country AS country, d.decision_date AS decision_date, score "
            "ORDER BY score DESC, id LIMIT $top",
            {"words": words, "pool": top * 10, "top": top, "as_of": self._as_of})

    def law_search(self, words: str, lang: str, top: int) -> list[dict[str, Any]]:
        """Wordings in ``lang`` valid on as_of that use ``words`` (BM25 over heading and text), best first."""
        return self._run(
            "law.search",
            "CALL QUERY_FTS_INDEX('Version', 'version_text', $words, top := $pool) WITH node AS v, score "
            f"WHERE v.lang = $lang AND {_IN_FORCE.format(x='v')} RETURN v.provision_id AS id, score "
            "ORDER BY score DESC, id LIMIT $top",
            {"words": words, "lang": lang, "pool": top * 8, "top": top, "as_of": self._as_of})

    def decisions_citing(self, ids: list[str], countries: list[str], authorities: list[str],
                         limit: int) -> list[dict[str, Any]]:
        """Decisions known by as_of citing any of ``ids``, in the given countries or of the given
        authorities (neither: anywhere), latest first."""
        where = [_VISIBLE, "list_contains($ids, p.id)"]
        params: dict[str, Any] = {"ids": ids, "limit": limit, "as_of": self._as_of}
        if countries:
            where.append("list_contains($countries, d.country)")
            params["countries"] = countries
        if authorities:
            where.append("list_contains($authorities, d.authority_id)")
            params["authorities"] = authorities
        return self._run(
            "enforcement.citing",
            "MATCH (d:Decision)-[:REPORTED_BY]->(:SourceRecord)-[:RECORD_CITES]->(p:Provision) "
            f"WHERE {' AND '.join(where)} WITH d, collect(DISTINCT p.id) AS cites "
            "ORDER BY d.decision_date DESC, d.id LIMIT $limit "
            "RETURN d.id AS id, d.country AS country, d.decision_date AS decision_date, cites",
            params)

    def decisions(self, ids: list[str]) -> list[dict[str, Any]]:
        """What a decision block shows: its values, fine, authority, summary and the documents reporting it."""
        return self._run(
            "enforcement.decisions",
            "MATCH (d:Decision)-[:REPORTED_BY]->(r:SourceRecord)-[:RECORD_FROM]->(doc:SourceDocument) "
            "WHERE list_contains($ids, d.id) "
            "OPTIONAL MATCH (d)-[:ISSUED_BY]->(a:Authority) OPTIONAL MATCH (d)-[:IMPOSES]->(f:Fine) "
            "RETURN d.id AS id, d.country AS country, a.name_en AS authority, d.decision_date AS decision_date, "
            "d.date_precision AS date_precision, d.outcome AS outcome, d.case_reference AS case_reference, "
            "d.summary AS summary, f.amount_minor AS amount_minor, f.currency AS currency, "
            f"collect(DISTINCT {_DOCUMENT.format(d='doc')}) AS sources, collect(DISTINCT r.id) AS records "
            "ORDER BY id", {"ids": ids})
