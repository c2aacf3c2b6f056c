"""Times the decision parsers on the real documents: every PDF of ``dpa/pdf`` and every GDPRhub page
of ``dpa/html``.

    python bench/bench_decisions.py [--repeats 3]

Prints, per PDF, its pages and the best pages-per-second figure of ``--repeats`` runs, with the share
of the time pypdf's text extraction takes; then the totals, and GDPRhub pages per second. Citations
resolve against the GDPR's consolidated text. Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import io
import os
import time
from pathlib import Path

from pypdf import PdfReader

from parsers.decision_gdprhub import parse_gdprhub_page
from parsers.decision_pdf import parse_decision_pdf
from parsers.errors import ParseError
from parsers.formex import parse_formex_act

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("LEXGRAPH_CORPUS", REPO.parent / "shared" / "corpus")).resolve()


def best_of(repeats: int, run) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def extraction(data: bytes) -> None:
    """pypdf alone: what reading the text costs."""
    for page in PdfReader(io.BytesIO(data)).pages:
        page.extract_text()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    act = parse_formex_act((CORPUS / "eurlex" / "gdpr_02016R0679_formex_consolidated_en.xml").read_bytes())
    known_ids = frozenset(provision.id for provision in act.provisions)

    print(f"{'PDF':<72} {'pages':>5} {'pages/s':>8} {'pypdf':>6}")
    total_pages = total_seconds = 0.0
    for path in sorted((CORPUS / "dpa" / "pdf").glob("*.pdf")):
        data = path.read_bytes()
        try:
            pages = parse_decision_pdf(data, known_ids=known_ids).pages
        except ParseError as error:
            print(f"{path.name:<72} {'':>5} {'':>8} {'':>6}  {error}")
            continue
        seconds = best_of(args.repeats, lambda: parse_decision_pdf(data, known_ids=known_ids))
        share = best_of(args.repeats, lambda: extraction(data)) / seconds
        total_pages, total_seconds = total_pages + pages, total_seconds + seconds
        print(f"{path.name:<72} {pages:>5} {pages / seconds:>8.1f} {share:>6.0%}")
    print(f"{'all PDFs':<72} {int(total_pages):>5} {total_pages / total_seconds:>8.1f}")

    pages_html = sorted((CORPUS / "dpa" / "html").glob("*.html"))
    documents = [path.read_bytes() for path in pages_html]
    seconds = best_of(args.repeats, lambda: [parse_gdprhub_page(data, known_ids=known_ids) for data in documents])
    print(f"{'GDPRhub pages':<72} {len(documents):>5} {len(documents) / seconds:>8.1f}")


if __name__ == "__main__":
    main()
