"""The text layer of a PDF as a text report: prose lines, and ruled tables found by
pdfplumber written as tab-separated lines, in page order (top to bottom)."""

from __future__ import annotations

from pathlib import Path

import pdfplumber

from recover.errors import DamagedInput


def _page_blocks(page: pdfplumber.page.Page) -> list[tuple[float, str]]:
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]

    def outside(obj: dict) -> bool:
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    prose = page.filter(outside) if boxes else page
    blocks = [(line["top"], line["text"]) for line in prose.extract_text_lines()]
    for table in tables:
        rows = table.extract()
        text = "\n".join("\t".join((cell or "").replace("\n", "") for cell in row) for row in rows)
        blocks.append((table.bbox[1], text))
    return sorted(blocks, key=lambda block: block[0])


def pdf_text(path: Path, password: str | None = None) -> list[str]:
    """One string per page: its prose and its text-layer tables (empty for a scanned page).
    Raises `DamagedInput` when pdfminer cannot parse the file."""
    texts = []
    try:
        with pdfplumber.open(path, password=password or "") as pdf:
            for page in pdf.pages:
                texts.append("\n".join(text for _, text in _page_blocks(page)))
                page.close()  # pdfplumber caches each page's objects; free them as we go
    except Exception as error:  # noqa: BLE001 - pdfminer raises anything on a broken file
        raise DamagedInput(path, f"the PDF's text layer cannot be parsed "
                                 f"({type(error).__name__})") from None
    return texts
