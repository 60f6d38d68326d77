"""The first stage: an input file becomes a `Document` of pages, each an image to read,
a text layer, or both. The file type is found from its bytes, not its name.

PDF pages are produced lazily, one at a time, so a long report is read with bounded memory.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import overload
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import cv2
import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from recover.encoding import decode_text, repair_mojibake
from recover.errors import (
    DamagedInput,
    EmptyInput,
    EncryptedInput,
    ImageTooLarge,
    InputNotFound,
    UnreadableEncoding,
    UnsupportedInput,
)

MAX_PIXELS = 80_000_000
DEFAULT_DPI = 200
# A PDF page with fewer printable characters than this is treated as a scan and rendered.
MIN_TEXT_CHARS = 30
# Pictures smaller than this on either side are logos, seals and bullets, not tables.
MIN_PICTURE_SIDE = 48
OFF_PAGE = 9  # points (1/8 inch) a picture must run past the page's edge to count as cut off


@dataclass(frozen=True)
class Page:
    number: int  # 1-based page in the document; for pictures of a DOCX/HTML, picture order
    image: np.ndarray | None  # BGR uint8, or None for a text-only page
    text: str | None  # the text layer / text content, if any
    dpi: float | None  # resolution of the image, if known
    origin: str  # "raster", "embedded" or "text"


@dataclass(frozen=True)
class Document:
    path: Path
    kind: str  # "pdf", "image", "docx", "html", "text"
    pages: Sequence[Page]  # a lazy sequence for PDFs
    sha256: str
    notes: tuple[str, ...] = ()  # what was skipped, e.g. remote pictures of a web page


@dataclass(frozen=True)
class _Options:
    password: str | None
    max_pixels: int
    dpi: float


# ---------------------------------------------------------------------------- entry points


def load_document(path: Path | str, password: str | None = None,
                  max_pixels: int = MAX_PIXELS, dpi: float = DEFAULT_DPI) -> Document:
    """The pages of the file at `path`. Raises a `RecoverError` for input a user must fix."""
    path = Path(path)
    kind, data = _identify(path)
    options = _Options(password, max_pixels, dpi)
    sha256 = _sha256(path)
    if kind == "pdf":
        return Document(path, kind, _PdfPages(path, options), sha256)
    pages, notes = _eager_pages(path, kind, data, options)
    return Document(path, kind, tuple(pages), sha256, tuple(notes))


def iter_pages(path: Path | str, password: str | None = None,
               max_pixels: int = MAX_PIXELS, dpi: float = DEFAULT_DPI) -> Iterator[Page]:
    """The pages of the file at `path`, one at a time."""
    yield from load_document(path, password, max_pixels, dpi).pages


def _eager_pages(path: Path, kind: str, data: bytes | None,
                 options: _Options) -> tuple[list[Page], list[str]]:
    data = path.read_bytes() if data is None else data
    if kind == "image":
        return list(_image_pages(data, path, options.max_pixels, "raster")), []
    if kind == "docx":
        return _docx_pages(data, path, options.max_pixels)
    text = repair_mojibake(decode_text(data, path))
    if kind == "html":
        return _html_pages(text, path, options.max_pixels)
    return [Page(1, None, text, None, "text")], []


# ---------------------------------------------------------------------------- file type

_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM",
                b"GIF87a", b"GIF89a")
_HTML_START = re.compile(
    r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|table|div|p)\b",
    re.IGNORECASE | re.DOTALL)
_TEXT_SUFFIXES = {".txt", ".text", ".htm", ".html", ".xhtml", ".csv", ".md"}


def _identify(path: Path) -> tuple[str, bytes | None]:
    """The kind of document, and the bytes when they had to be read to tell."""
    if not path.exists():
        raise InputNotFound(path, "no such file")
    if not path.is_file():
        raise UnsupportedInput(path, "not a file")
    if path.stat().st_size == 0:
        raise EmptyInput(path, "the file is empty")
    with path.open("rb") as stream:
        head = stream.read(1024)
    if b"%PDF-" in head:
        return "pdf", None
    if head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image", None
    if head.startswith(b"PK\x03\x04"):
        return "docx", None
    data = path.read_bytes()
    try:
        text_head = decode_text(data, path)[:4096]
    except UnreadableEncoding:
        if path.suffix.lower() in _TEXT_SUFFIXES:
            raise
        raise UnsupportedInput(path, "the content is no PDF, image, DOCX, HTML or text") from None
    if _HTML_START.match(text_head) or "<html" in text_head.lower():
        return "html", data
    return "text", data


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------------------- images


def _image_pages(data: bytes, path: Path, max_pixels: int, origin: str,
                 first_number: int = 1) -> Iterator[Page]:
    """Every frame of an image file (a multi-page TIFF has several), as BGR pages."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError as error:
            raise ImageTooLarge(path, f"the image is too large to decode ({error})") from None
        except (UnidentifiedImageError, OSError, SyntaxError) as error:
            raise DamagedInput(path, f"the image cannot be read ({error})") from None
        with image:
            for index, frame in enumerate(ImageSequence.Iterator(image)):
                _check_pixels(frame.width, frame.height, max_pixels, path)
                yield Page(first_number + index, _to_bgr(frame, path), None, _dpi(frame), origin)


def _check_pixels(width: int, height: int, max_pixels: int, path: Path) -> None:
    if width * height > max_pixels:
        raise ImageTooLarge(path, f"an image of {width}x{height} pixels "
                                  f"({width * height / 1e6:.0f} megapixels) is over the limit "
                                  f"of {max_pixels / 1e6:.0f} megapixels")


def _dpi(image: Image.Image) -> float | None:
    dpi = image.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else None
    except (TypeError, ValueError, IndexError):
        return None
    return value if value and value > 1 else None


def _to_bgr(frame: Image.Image, path: Path) -> np.ndarray:
    """A frame as BGR uint8, upright (EXIF orientation), transparency laid on white."""
    try:
        frame.load()
        image = ImageOps.exif_transpose(frame) if frame.getexif() else frame.copy()
    except (OSError, SyntaxError, ValueError) as error:
        raise DamagedInput(path, f"the image is damaged or truncated ({error})") from None
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        pixels = np.asarray(image, dtype=np.float64)
        top = pixels.max() if pixels.size else 0
        scale = 255 / top if top > 255 else 1
        grey = np.clip(pixels * scale, 0, 255).astype(np.uint8)
        return cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    rgb = np.asarray(image.convert("RGB"))
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)


# ---------------------------------------------------------------------------- PDF


@dataclass(frozen=True)
class _PdfItem:
    page_index: int
    origin: str  # "text", "raster" or "embedded"
    picture: int = -1  # index into the page's pictures in reading order


class _PdfPages(Sequence[Page]):
    """The pages of a PDF, produced on demand; only a small plan is kept in memory."""

    def __init__(self, path: Path, options: _Options) -> None:
        self._path = path
        self._options = options
        with _open_pdf(path, options.password) as pdf:
            try:
                self._plan = tuple(item for index in range(len(pdf))
                                   for item in _plan_page(pdf, index))
            except pdfium.PdfiumError as error:
                raise DamagedInput(path, f"a page of the PDF cannot be read ({error})") from None

    def __len__(self) -> int:
        return len(self._plan)

    @overload
    def __getitem__(self, index: int) -> Page: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Page]: ...

    def __getitem__(self, index: int | slice) -> Page | Sequence[Page]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        item = self._plan[index]
        with _open_pdf(self._path, self._options.password) as pdf:
            return _make_page(pdf, item, self._path, self._options)

    def __iter__(self) -> Iterator[Page]:
        with _open_pdf(self._path, self._options.password) as pdf:
            for item in self._plan:
                yield _make_page(pdf, item, self._path, self._options)


class _open_pdf:  # noqa: N801 - used as a context manager, reads like `open`
    def __init__(self, path: Path, password: str | None) -> None:
        try:
            self.pdf = pdfium.PdfDocument(str(path), password=password)
        except pdfium.PdfiumError as error:
            code = getattr(error, "err_code", None)
            if code == pdfium_c.FPDF_ERR_PASSWORD:
                problem = ("the PDF is encrypted and the password is wrong" if password
                           else "the PDF is encrypted")
                raise EncryptedInput(path, problem) from None
            if code == pdfium_c.FPDF_ERR_SECURITY:
                raise EncryptedInput(path, "the PDF uses an unsupported security handler") from None
            raise DamagedInput(path, f"the PDF cannot be opened ({error})") from None

    def __enter__(self) -> pdfium.PdfDocument:
        return self.pdf

    def __exit__(self, *_: object) -> None:
        self.pdf.close()


def _plan_page(pdf: pdfium.PdfDocument, index: int) -> Iterator[_PdfItem]:
    page = pdf[index]
    try:
        text = _page_text(page)
        if len(re.sub(r"\s", "", text)) < MIN_TEXT_CHARS:
            pictures = _pictures(page)
            if not any(_cut_off(picture, page) for picture in pictures):
                yield _PdfItem(index, "raster")
                return
            # a picture running off the page: the page shows only part of it
            for picture in range(len(pictures)):
                yield _PdfItem(index, "embedded", picture)
            return
        yield _PdfItem(index, "text")
        for picture in range(len(_pictures(page))):
            yield _PdfItem(index, "embedded", picture)
    finally:
        page.close()


def _page_text(page: pdfium.PdfPage) -> str:
    textpage = page.get_textpage()
    try:
        return textpage.get_text_range().replace("\r\n", "\n")
    finally:
        textpage.close()


def _pictures(page: pdfium.PdfPage) -> list[pdfium.PdfImage]:
    """Pictures large enough to hold a table, in reading order (top to bottom, left to right)."""
    found = []
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=4):
        width, height = obj.get_px_size()
        if min(width, height) >= MIN_PICTURE_SIDE:
            left, _, _, top = obj.get_bounds()
            found.append((-round(top), round(left), obj))
    found.sort(key=lambda entry: entry[:2])
    return [obj for _, _, obj in found]


def _cut_off(picture: pdfium.PdfImage, page: pdfium.PdfPage) -> bool:
    """Whether a picture runs well past the page's edges (a table pasted taller than the
    page: rendered, the page would lose its last rows)."""
    left, bottom, right, top = picture.get_bounds()
    x0, y0, x1, y1 = page.get_bbox()
    return min(left - x0, bottom - y0, x1 - right, y1 - top) < -OFF_PAGE


def _make_page(pdf: pdfium.PdfDocument, item: _PdfItem, path: Path, options: _Options) -> Page:
    page = pdf[item.page_index]
    number = item.page_index + 1
    try:
        if item.origin == "text":
            return Page(number, None, _page_text(page), None, "text")
        if item.origin == "raster":
            text = _page_text(page).strip() or None
            image, dpi = _render(page, options)
            return Page(number, image, text, dpi, "raster")
        image, dpi = _picture(_pictures(page)[item.picture], path, options.max_pixels)
        return Page(number, image, None, dpi, "embedded")
    except pdfium.PdfiumError as error:
        raise DamagedInput(path, f"page {number} cannot be read ({error})") from None
    finally:
        page.close()


def _render(page: pdfium.PdfPage, options: _Options) -> tuple[np.ndarray, float]:
    """The page at `dpi`, or at the highest resolution under the pixel limit."""
    width, height = page.get_size()
    dpi = options.dpi
    pixels = width * height * (dpi / 72) ** 2
    if pixels > options.max_pixels:  # a little under, as pdfium rounds the size up
        dpi *= 0.99 * (options.max_pixels / pixels) ** 0.5
    bitmap = page.render(scale=dpi / 72)
    try:
        return _bitmap_to_bgr(bitmap), dpi
    finally:
        bitmap.close()


def _picture(obj: pdfium.PdfImage, path: Path, max_pixels: int) -> tuple[np.ndarray, float | None]:
    """A picture at its own resolution, as stored in the PDF."""
    width, height = obj.get_px_size()
    _check_pixels(width, height, max_pixels, path)
    bitmap = obj.get_bitmap(render=False)
    try:
        image = _bitmap_to_bgr(bitmap)
    finally:
        bitmap.close()
    left, _, right, _ = obj.get_bounds()
    shown = (right - left) / 72
    return image, (width / shown if shown > 0 else None)


def _bitmap_to_bgr(bitmap: pdfium.PdfBitmap) -> np.ndarray:
    array = bitmap.to_numpy()
    conversions = {"BGR": None, "BGRA": cv2.COLOR_BGRA2BGR, "BGRX": cv2.COLOR_BGRA2BGR,
                   "RGB": cv2.COLOR_RGB2BGR, "RGBA": cv2.COLOR_RGBA2BGR,
                   "RGBX": cv2.COLOR_RGBA2BGR, "L": cv2.COLOR_GRAY2BGR}
    if array.ndim == 2:
        array = cv2.cvtColor(array, cv2.COLOR_GRAY2BGR)
    elif (code := conversions.get(bitmap.mode)) is not None:
        array = cv2.cvtColor(array, code)
    # A copy: for BGR the array is a view of pdfium's buffer, freed when the bitmap closes.
    return np.array(array, dtype=np.uint8, order="C", copy=True)


# ---------------------------------------------------------------------------- DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_V = "{urn:schemas-microsoft-com:vml}"
_PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_MAX_PART_BYTES = 200 * 1024 * 1024  # a zip bomb guard for one part of the package
# What zipfile raises on a damaged package: bad offsets surface as ValueError (negative
# seek), unknown compression as NotImplementedError, encrypted parts as RuntimeError.
_ZIP_ERRORS = (zipfile.BadZipFile, EOFError, zlib.error, ValueError, KeyError,
               NotImplementedError, RuntimeError, OSError)


def _docx_pages(data: bytes, path: Path, max_pixels: int) -> tuple[list[Page], list[str]]:
    """The body text as one text page, then every picture in document order."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        names = set(package.namelist())
        if "word/document.xml" not in names:
            raise UnsupportedInput(path, "a zip file, but not a Word (.docx) document")
        body = ElementTree.fromstring(_read_part(package, "word/document.xml", path))
        rels_name = "word/_rels/document.xml.rels"
        rels = (ElementTree.fromstring(_read_part(package, rels_name, path))
                if rels_name in names else None)
    except (*_ZIP_ERRORS, ElementTree.ParseError) as error:
        raise DamagedInput(path, f"the DOCX package is damaged ({error})") from None
    targets = _relationship_targets(rels)
    paragraphs: list[str] = []
    pages: list[Page] = []
    notes: list[str] = []
    for paragraph in body.iter(f"{_W}p"):
        paragraphs.append("".join(_paragraph_text(paragraph)))
    for element in body.iter():
        rel_id = None
        if element.tag == f"{_A}blip":
            rel_id = element.get(f"{_R}embed")
        elif element.tag == f"{_V}imagedata":
            rel_id = element.get(f"{_R}id")
        target = targets.get(rel_id or "")
        if not target:
            continue
        if target not in names:
            notes.append(f"picture {target} is missing from the package")
            continue
        try:
            picture = _read_part(package, target, path)
            pages += _image_pages(picture, path, max_pixels, "embedded", len(pages) + 1)
        except (DamagedInput, *_ZIP_ERRORS):
            notes.append(f"picture {target} is not an image recover can read")
    text_page = Page(1, None, "\n".join(paragraphs), None, "text")
    return [text_page, *pages], notes


def _read_part(package: zipfile.ZipFile, name: str, path: Path) -> bytes:
    if package.getinfo(name).file_size > _MAX_PART_BYTES:
        raise DamagedInput(path, f"the part {name} is implausibly large")
    return package.read(name)


def _relationship_targets(rels: ElementTree.Element | None) -> dict[str, str]:
    targets: dict[str, str] = {}
    if rels is None:
        return targets
    for rel in rels.iter(f"{_PACKAGE_RELS}Relationship"):
        target, rel_id = rel.get("Target", ""), rel.get("Id", "")
        if rel.get("TargetMode") == "External" or not target:
            continue
        resolved = target.lstrip("/") if target.startswith("/") else f"word/{target}"
        targets[rel_id] = _normalize_part(resolved)
    return targets


def _normalize_part(name: str) -> str:
    parts: list[str] = []
    for part in PurePosixPath(name).parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def _paragraph_text(paragraph: ElementTree.Element) -> Iterator[str]:
    for element in paragraph.iter():
        if element.tag == f"{_W}t" and element.text:
            yield element.text
        elif element.tag == f"{_W}tab":
            yield "\t"
        elif element.tag in (f"{_W}br", f"{_W}cr"):
            yield "\n"


# ---------------------------------------------------------------------------- HTML

_BLOCK_TAGS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table",
               "section", "article", "header", "footer", "title"}
_CELL_TAGS = {"td", "th"}
_SKIPPED_TAGS = {"script", "style", "noscript", "template"}


class _HtmlReader(HTMLParser):
    """Text with line breaks at blocks and ' | ' between table cells, and picture sources."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.sources: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag == "img":
            source = dict(attrs).get("src")
            if source:
                self.sources.append(source.strip())
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag in _CELL_TAGS:
            self.parts.append(" | ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)

    def text(self) -> str:
        lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in
                 "".join(self.parts).splitlines())
        return "\n".join(line for line in lines if line)


def _html_pages(text: str, path: Path, max_pixels: int) -> tuple[list[Page], list[str]]:
    reader = _HtmlReader()
    reader.feed(text)
    reader.close()
    pages: list[Page] = [Page(1, None, reader.text(), None, "text")]
    notes: list[str] = []
    pictures = 0
    for source in reader.sources:
        data, note = _html_picture(source, path)
        if data is None:
            notes.append(note)
            continue
        try:
            found = list(_image_pages(data, path, max_pixels, "embedded", pictures + 1))
        except DamagedInput:
            notes.append(f"picture {source[:80]} is not an image recover can read")
            continue
        pictures += len(found)
        pages += found
    return pages, notes


def _html_picture(source: str, path: Path) -> tuple[bytes | None, str]:
    """The bytes of one `<img src>`: a data: URI or a local file beside the page."""
    if source.startswith("data:"):
        header, _, payload = source.partition(",")
        try:
            if header.endswith(";base64"):
                return base64.b64decode(payload, validate=False), ""
            return unquote(payload).encode("latin-1"), ""
        except (binascii.Error, UnicodeEncodeError):
            return None, "a data: picture could not be decoded"
    parts = urlsplit(source)
    if parts.scheme in ("http", "https", "ftp") or source.startswith("//"):
        return None, f"remote picture {source} was skipped (recover reads local files only)"
    if parts.scheme not in ("", "file"):
        return None, f"picture {source} was skipped"
    local = (path.parent / unquote(parts.path)).resolve()
    if not local.is_file():
        return None, f"picture {source} was not found next to the page"
    return local.read_bytes(), ""
