"""Times the decision parsers on the real documents: every PDF of ``dpa/pdf`` and ``dpa/pdf_eea``, and
every GDPRhub page of ``dpa/html``.

    python bench/bench_decisions.py [--repeats 5]

Prints, per PDF, its pages and the best pages-per-second figure of ``--repeats`` runs, with the share
of the time pypdf's text extraction takes; then the totals, and GDPRhub pages per second. Then, per
language, what identifying the language (CLD2) and reading the decision grammar's statements (dates,
outcome, fine, case reference, parties) cost per page, on the extracted text: the median of the runs
and their spread (lowest–highest), beside the whole parse per page as the baseline they are part of.
Citations resolve against the GDPR's consolidated text. Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from pypdf import PdfReader

from parsers.decision_gdprhub import parse_gdprhub_page
from parsers.decision_lang import detect, fold, grammar, languages
from parsers.decision_pdf import _statements as read_statements  # the grammar's part of a parse, alone
from parsers.decision_pdf import parse_decision_pdf
from parsers.errors import ParseError
from parsers.formex import parse_formex_act

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("LEXGRAPH_CORPUS", REPO.parent / "shared" / "corpus")).resolve()
FOLDERS = ("pdf", "pdf_eea")


def timings(repeats: int, run: Callable[[], object]) -> list[float]:
    """Seconds of each of ``repeats`` runs."""
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - start)
    return seconds


def extraction(data: bytes) -> list[str]:
    """pypdf alone: what reading the text costs."""
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def statements(lang: str, text: str) -> None:
    """What the parser reads with the decision grammar (its dates, outcome, fine, case reference and
    parties), on text already extracted."""
    rules = grammar(lang)
    normalised = rules.normalised(text)
    read_statements(rules, normalised, fold(normalised), None)


def per_page(seconds: list[float], pages: int) -> str:
    """Median and spread of milliseconds per page."""
    ms = [1000 * s / pages for s in seconds]
    return f"{statistics.median(ms):>7.2f} ({min(ms):.2f}–{max(ms):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    act = parse_formex_act((CORPUS / "eurlex" / "gdpr_02016R0679_formex_consolidated_en.xml").read_bytes())
    known_ids = frozenset(provision.id for provision in act.provisions)

    print(f"{'PDF':<72} {'lang':>4} {'pages':>5} {'pages/s':>8} {'pypdf':>6}")
    total_pages = total_seconds = 0.0
    by_lang: dict[str, list[tuple[str, int, float]]] = defaultdict(list)  # (text, pages, parse seconds)
    for path in sorted(path for folder in FOLDERS for path in (CORPUS / "dpa" / folder).glob("*.pdf")):
        data = path.read_bytes()
        try:
            record = parse_decision_pdf(data, known_ids=known_ids)
        except ParseError as error:
            print(f"{path.name:<72} {'':>4} {'':>5} {'':>8} {'':>6}  {error}")
            continue
        seconds = min(timings(args.repeats, lambda: parse_decision_pdf(data, known_ids=known_ids)))
        share = min(timings(args.repeats, lambda: extraction(data))) / seconds
        total_pages, total_seconds = total_pages + record.pages, total_seconds + seconds
        by_lang[record.language].append(("\n".join(extraction(data)), record.pages, seconds))
        print(f"{path.name:<72} {record.language:>4} {record.pages:>5} {record.pages / seconds:>8.1f} {share:>6.0%}")
    print(f"{'all PDFs':<72} {'':>4} {int(total_pages):>5} {total_pages / total_seconds:>8.1f}")

    pages_html = sorted((CORPUS / "dpa" / "html").glob("*.html"))
    documents = [path.read_bytes() for path in pages_html]
    seconds = min(timings(args.repeats, lambda: [parse_gdprhub_page(data, known_ids=known_ids) for data in documents]))
    print(f"{'GDPRhub pages':<72} {'':>4} {len(documents):>5} {len(documents) / seconds:>8.1f}")

    print(f"\nms per page, median (lowest–highest) of {args.repeats} runs over each language's PDFs")
    print(f"{'lang':<5} {'docs':>4} {'pages':>5} {'identify (CLD2)':>22} {'grammar':>22} {'whole parse (best)':>19}")
    for lang, docs in sorted(by_lang.items()):
        texts = [text for text, _, _ in docs]
        pages = sum(n for _, n, _ in docs)
        identify = timings(args.repeats, lambda: [detect(text) for text in texts])
        read = timings(args.repeats, lambda: [statements(lang, text) for text in texts]) \
            if lang in languages() else None
        whole = 1000 * sum(s for _, _, s in docs) / pages
        print(f"{lang:<5} {len(docs):>4} {pages:>5} {per_page(identify, pages):>22} "
              f"{per_page(read, pages) if read else 'no grammar':>22} {whole:>19.2f}")


if __name__ == "__main__":
    main()
