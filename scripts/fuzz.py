"""Fuzz the loaders and the pipeline: mutated PDFs, images, DOCX and text reports must give a
report or one of recover's named errors (`RecoverError`), never anything else.

    .venv/bin/python scripts/fuzz.py --examples 2000      # failing inputs go to fuzz-failures/

The test suite runs the same property with a small budget (tests/batch/test_fuzz.py).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import sys
import tempfile
import traceback
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from recover.errors import RecoverError
from recover.pipeline import Options, extract_report

ROOT = Path(__file__).parents[1]
TEXT_REPORT = ROOT / "tests/text/data/layout_line_2021.txt"
# Small limits keep a mutated header that claims a huge image cheap to refuse.
OPTIONS = Options(engine="tesseract", max_pixels=2_000_000, dpi=72)


def table_png() -> bytes:
    """A small ruled table with a few digits: enough for the image path to find a grid."""
    image = Image.new("L", (240, 120), 255)
    draw = ImageDraw.Draw(image)
    for x in range(0, 240, 60):
        draw.line([(x, 0), (x, 119)], fill=0, width=2)
    for y in range(0, 120, 40):
        draw.line([(0, y), (239, y)], fill=0, width=2)
    for i, x in enumerate(range(20, 240, 60)):
        draw.text((x, 55), str(i * 7), fill=0)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def text_pdf(lines: list[str], picture: bytes | None = None) -> bytes:
    """A one-page PDF written by hand: Helvetica text and, optionally, a grey picture."""
    stream = "BT /F1 10 Tf 12 TL 40 800 Td " + " ".join(
        f"({line}) Tj T*" for line in lines) + " ET"
    objects = ["<< /Type /Catalog /Pages 2 0 R >>",
               "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
               "/Resources << /Font << /F1 4 0 R >> /XObject << /Im1 6 0 R >> >> "
               "/Contents 5 0 R >>",
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    body = []
    if picture is not None:
        image = Image.open(io.BytesIO(picture)).convert("L")
        stream += f" q {image.width} 0 0 {image.height} 40 400 cm /Im1 Do Q"
        raw = image.tobytes()
        body.append((f"<< /Type /XObject /Subtype /Image /Width {image.width} "
                     f"/Height {image.height} /ColorSpace /DeviceGray /BitsPerComponent 8 "
                     f"/Length {len(raw)} >>").encode() + b"\nstream\n" + raw + b"\nendstream")
    else:
        body.append(b"<< /Length 0 >>\nstream\n\nendstream")
    content = stream.encode("latin-1")
    parts = [o.encode() for o in objects]
    parts.append(f"<< /Length {len(content)} >>".encode() + b"\nstream\n" + content
                 + b"\nendstream")
    parts += body
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, part in enumerate(parts, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + part + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(parts) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (f"trailer\n<< /Size {len(parts) + 1} /Root 1 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


def docx(text: str, picture: bytes) -> bytes:
    """A minimal Word package: one paragraph and one picture."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    document = (f'<w:document xmlns:w="{w}" xmlns:a="{a}" xmlns:r="{r}"><w:body>'
                f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"
                '<w:p><w:r><a:blip r:embed="rId1"/></w:r></w:p></w:body></w:document>')
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="rId1" Target="media/image1.png" '
            'Type="image"/></Relationships>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("word/document.xml", document)
        package.writestr("word/_rels/document.xml.rels", rels)
        package.writestr("word/media/image1.png", picture)
    return buffer.getvalue()


def seeds() -> dict[str, bytes]:
    """Small valid inputs of every kind, to be mutated."""
    png = table_png()
    report = TEXT_REPORT.read_bytes()
    return {
        "report.txt": report,
        "report.html": ("<html><body><pre>" + report.decode("utf-8")[:1500]
                        + "</pre></body></html>").encode("utf-8"),
        "table.png": png,
        "prose.pdf": text_pdf(["Annual report", "Section one: overview of the year"]),
        "picture.pdf": text_pdf(["x"], png),
        "report.docx": docx("二、主动公开政府信息情况", png),
    }


SEEDS = seeds()


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    """A seed with a few mutations: bytes changed, inserted or removed, a cut, a repeat."""
    name = draw(st.sampled_from(sorted(SEEDS)))
    data = bytearray(SEEDS[name])
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "repeat"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 64))]
        elif kind == "truncate":
            del data[at:]
        elif kind == "repeat":
            data[at:at] = data[at:at + draw(st.integers(1, 256))]
    return name, bytes(data)


def check(name: str, data: bytes, folder: Path) -> None:
    """The property: a report, or a named error; anything else is a bug."""
    path = folder / name
    path.write_bytes(data)
    with contextlib.suppress(RecoverError):
        extract_report(path, OPTIONS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1000)
    parser.add_argument("--failures", type=Path, default=Path("fuzz-failures"))
    args = parser.parse_args()
    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # it warns on every broken file
    found = 0

    @settings(max_examples=args.examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(mutated())
    def run(case: tuple[str, bytes]) -> None:
        nonlocal found
        name, data = case
        with tempfile.TemporaryDirectory() as folder:
            try:
                check(name, data, Path(folder))
            except Exception:  # noqa: BLE001 - report every bug and keep fuzzing
                found += 1
                args.failures.mkdir(parents=True, exist_ok=True)
                kept = args.failures / f"{found:03d}-{name}"
                kept.write_bytes(data)
                print(f"{kept}: {traceback.format_exc().splitlines()[-1]}", file=sys.stderr)

    run()
    print(f"{args.examples} mutated inputs, {found} not a report nor a named error")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
