"""Every input format becomes pages: images as BGR arrays, text layers as text; bad input
raises the named error a user can act on."""

from __future__ import annotations

import io
import struct
import sys
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from recover.errors import (
    DamagedInput,
    EmptyInput,
    EncryptedInput,
    ImageTooLarge,
    InputNotFound,
    UnreadableEncoding,
    UnsupportedInput,
)
from recover.load import Document, Page, iter_pages, load_document

sys.path.insert(0, str(Path(__file__).parent))
from pdfs import text_pdf  # noqa: E402

REPORT_LINES = ["Government information disclosure annual report 2022",
                "Table 3: applications received and handled, totals 12 and 7"]


def table_picture(width: int = 320, height: int = 200, mode: str = "RGB") -> Image.Image:
    """A picture with a recognisable layout: white, a black frame, a red block top-left."""
    image = Image.new("RGB", (width, height), (255, 255, 255))
    pixels = np.array(image)
    pixels[:4, :] = pixels[-4:, :] = pixels[:, :4] = pixels[:, -4:] = 0
    pixels[10:40, 10:60] = (255, 0, 0)
    return Image.fromarray(pixels).convert(mode)


def save(image: Image.Image, path: Path, **options) -> Path:
    image.save(path, **options)
    return path


def assert_bgr(page: Page, width: int, height: int) -> None:
    assert page.image is not None
    assert page.image.dtype == np.uint8
    assert page.image.shape == (height, width, 3)


# ---------------------------------------------------------------- images


@pytest.mark.parametrize(("suffix", "options"), [
    (".png", {}), (".jpg", {"quality": 95}), (".bmp", {}), (".webp", {"lossless": True}),
    (".tif", {}),
])
def test_image_files_become_one_bgr_page(tmp_path: Path, suffix: str, options: dict):
    path = save(table_picture(), tmp_path / f"scan{suffix}", **options)
    doc = load_document(path)
    assert doc.kind == "image"
    assert len(doc.pages) == 1
    page = doc.pages[0]
    assert (page.number, page.origin, page.text) == (1, "raster", None)
    assert_bgr(page, 320, 200)
    blue, green, red = page.image[25, 30]
    assert red > 200 and green < 60 and blue < 60  # BGR, not RGB
    assert len(doc.sha256) == 64


def test_every_frame_of_a_multipage_tiff_is_a_page(tmp_path: Path):
    frames = [table_picture(100 + 10 * i, 80) for i in range(3)]
    path = tmp_path / "scan.tiff"
    frames[0].save(path, save_all=True, append_images=frames[1:], dpi=(300, 300))
    pages = list(iter_pages(path))
    assert [p.number for p in pages] == [1, 2, 3]
    assert [p.image.shape[1] for p in pages] == [100, 110, 120]
    assert pages[0].dpi == pytest.approx(300)


@pytest.mark.parametrize("mode", ["L", "P", "1", "RGBA", "LA", "CMYK"])
def test_image_modes_become_bgr(tmp_path: Path, mode: str):
    path = save(table_picture(mode=mode), tmp_path / ("p.tif" if mode == "CMYK" else "p.png"))
    assert_bgr(load_document(path).pages[0], 320, 200)


def test_transparency_is_laid_on_white(tmp_path: Path):
    image = Image.new("RGBA", (60, 40), (0, 0, 0, 0))
    image.paste((0, 0, 0, 255), (0, 0, 10, 10))
    page = load_document(save(image, tmp_path / "alpha.png")).pages[0]
    assert page.image[20, 30].tolist() == [255, 255, 255]
    assert page.image[5, 5].tolist() == [0, 0, 0]


def test_sixteen_bit_grey_is_scaled_to_eight_bits(tmp_path: Path):
    pixels = np.full((40, 60), 60000, dtype=np.uint16)
    pixels[:10, :10] = 0
    page = load_document(save(Image.fromarray(pixels), tmp_path / "deep.png")).pages[0]
    assert_bgr(page, 60, 40)
    assert page.image[20, 30, 0] > 240 and page.image[5, 5, 0] == 0


def test_exif_orientation_is_applied(tmp_path: Path):
    image = table_picture(320, 200)
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: rotate 90° clockwise to view
    page = load_document(save(image, tmp_path / "phone.jpg", exif=exif)).pages[0]
    assert_bgr(page, 200, 320)


def test_truncated_image_is_damaged(tmp_path: Path):
    data = (tmp_path / "x.png").write_bytes(b"") or None
    buffer = io.BytesIO()
    table_picture(800, 600).save(buffer, "PNG", compress_level=0)
    data = buffer.getvalue()
    path = tmp_path / "cut.png"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DamagedInput):
        load_document(path)


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares its size and holds no pixels: what a decompression bomb shows."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b""))


@pytest.mark.parametrize(("width", "height"), [(10_000, 9_000), (50_000, 50_000)])
def test_bomb_sized_image_is_refused_before_decoding(tmp_path: Path, width: int, height: int):
    path = tmp_path / "bomb.png"
    path.write_bytes(png_header(width, height))
    with pytest.raises(ImageTooLarge) as caught:
        load_document(path)
    assert "megapixels" in caught.value.problem or "too large" in caught.value.problem


def test_the_pixel_limit_can_be_set(tmp_path: Path):
    path = save(table_picture(320, 200), tmp_path / "small.png")
    with pytest.raises(ImageTooLarge):
        load_document(path, max_pixels=10_000)
    assert load_document(path, max_pixels=100_000).pages[0].image is not None


# ---------------------------------------------------------------- PDF


def test_pdf_text_layer_is_read_without_rendering(tmp_path: Path):
    path = tmp_path / "report.pdf"
    path.write_bytes(text_pdf([REPORT_LINES, REPORT_LINES[::-1]]))
    doc = load_document(path)
    assert doc.kind == "pdf"
    assert [(p.number, p.origin, p.image) for p in doc.pages] == [(1, "text", None),
                                                                 (2, "text", None)]
    assert "totals 12 and 7" in doc.pages[0].text


def test_image_only_pdf_pages_are_rendered_at_the_dpi(tmp_path: Path):
    path = tmp_path / "scan.pdf"
    pictures = [table_picture(850, 1100) for _ in range(2)]
    pictures[0].save(path, save_all=True, append_images=pictures[1:], resolution=100)
    pages = list(iter_pages(path, dpi=150))
    assert [(p.number, p.origin) for p in pages] == [(1, "raster"), (2, "raster")]
    assert pages[0].dpi == 150
    height, width, channels = pages[0].image.shape  # 8.5 x 11 inches at 150 dpi
    assert (abs(width - 1275) <= 1, abs(height - 1650) <= 1, channels) == (True, True, 3)


def test_rendering_stays_under_the_pixel_limit(tmp_path: Path):
    path = tmp_path / "scan.pdf"
    table_picture(850, 1100).save(path, resolution=100)
    page = load_document(path, dpi=600, max_pixels=2_000_000).pages[0]
    assert page.image.shape[0] * page.image.shape[1] <= 2_000_000
    assert page.dpi < 600


def pdf_with_picture(tmp_path: Path) -> Path:
    """A text PDF with a table picture placed on its first page."""
    pdf = pdfium.PdfDocument(text_pdf([REPORT_LINES]))
    page = pdf[0]
    picture = pdfium.PdfImage.new(pdf)
    bitmap = pdfium.PdfBitmap.from_pil(table_picture(640, 400))
    picture.set_bitmap(bitmap)
    picture.set_matrix(pdfium.PdfMatrix().scale(320, 200).translate(100, 300))
    page.insert_obj(picture)
    page.gen_content()
    path = tmp_path / "mixed.pdf"
    pdf.save(path)
    return path


def test_pictures_in_a_text_pdf_are_taken_at_their_own_resolution(tmp_path: Path):
    pages = list(load_document(pdf_with_picture(tmp_path)).pages)
    assert [(p.number, p.origin) for p in pages] == [(1, "text"), (1, "embedded")]
    picture = pages[1]
    assert_bgr(picture, 640, 400)
    assert picture.dpi == pytest.approx(144)  # 640 pixels over 320 points
    blue, green, red = picture.image[25, 30]
    assert red > 200 and green < 60 and blue < 60


def test_a_picture_running_off_a_page_without_text_is_taken_whole(tmp_path: Path):
    """Seed-1 bench doc 31: table 三 pasted taller than its page; rendered, the page lost
    the table's last three rows."""
    pdf = pdfium.PdfDocument(text_pdf([[]]))
    page = pdf[0]
    picture = pdfium.PdfImage.new(pdf)
    picture.set_bitmap(pdfium.PdfBitmap.from_pil(table_picture(400, 1200)))
    picture.set_matrix(pdfium.PdfMatrix().scale(300, 900).translate(100, -120))
    page.insert_obj(picture)
    page.gen_content()
    path = tmp_path / "tall.pdf"
    pdf.save(path)
    pages = list(load_document(path).pages)
    assert [(p.origin, p.image.shape[:2]) for p in pages] == [("embedded", (1200, 400))]


def test_long_pdf_pages_are_made_on_demand(tmp_path: Path):
    path = tmp_path / "long.pdf"
    pictures = [table_picture(200, 260) for _ in range(30)]
    pictures[0].save(path, save_all=True, append_images=pictures[1:], resolution=50)
    doc = load_document(path, dpi=72)
    assert len(doc.pages) == 30
    assert not isinstance(doc.pages, tuple | list)
    assert doc.pages[17].number == 18
    assert [p.number for p in doc.pages[28:]] == [29, 30]
    assert sum(1 for _ in iter_pages(path, dpi=36)) == 30


def test_encrypted_pdf_needs_its_password(tmp_path: Path):
    path = tmp_path / "locked.pdf"
    path.write_bytes(text_pdf([REPORT_LINES], user_password="secret"))
    with pytest.raises(EncryptedInput):
        load_document(path)
    with pytest.raises(EncryptedInput, match="wrong"):
        load_document(path, password="guess")
    doc = load_document(path, password="secret")
    assert "totals 12 and 7" in doc.pages[0].text


@pytest.mark.parametrize("data", [
    b"%PDF-1.4\nthis is not a PDF body at all\n",
    text_pdf([REPORT_LINES])[:40],
])
def test_corrupt_pdf_is_damaged(tmp_path: Path, data: bytes):
    path = tmp_path / "broken.pdf"
    path.write_bytes(data)
    with pytest.raises(DamagedInput):
        load_document(path)


# ---------------------------------------------------------------- type from content


def test_a_png_name_on_a_pdf_is_read_as_pdf(tmp_path: Path):
    path = tmp_path / "really_a.png"
    path.write_bytes(text_pdf([REPORT_LINES]))
    assert load_document(path).kind == "pdf"


def test_a_txt_name_on_a_jpeg_is_read_as_image(tmp_path: Path):
    path = save(table_picture(), tmp_path / "notes.txt", format="JPEG")
    assert load_document(path).kind == "image"


def test_unknown_binary_content_is_unsupported(tmp_path: Path):
    path = tmp_path / "data.bin"
    path.write_bytes(bytes(range(256)) * 16)
    with pytest.raises(UnsupportedInput):
        load_document(path)


def test_binary_content_named_txt_is_an_unreadable_encoding(tmp_path: Path):
    path = tmp_path / "report.txt"
    path.write_bytes(bytes(range(256)) * 16)
    with pytest.raises(UnreadableEncoding):
        load_document(path)


def test_empty_and_missing_files(tmp_path: Path):
    (tmp_path / "empty.pdf").write_bytes(b"")
    with pytest.raises(EmptyInput):
        load_document(tmp_path / "empty.pdf")
    with pytest.raises(InputNotFound):
        load_document(tmp_path / "nowhere.pdf")


# ---------------------------------------------------------------- DOCX

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="png" ContentType="image/png"/></Types>')
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    'org/package/2006/relationships">'
    '<Relationship Id="rId8" Type="image" Target="media/image2.jpeg"/>'
    '<Relationship Id="rId7" Type="image" Target="media/image1.png"/>'
    '<Relationship Id="rId9" Type="hyperlink" Target="http://example.org" TargetMode="External"/>'
    '</Relationships>')


def _drawing(rel_id: str) -> str:
    return (f'<w:r><w:drawing><wp:inline><a:graphic><a:graphicData><pic:pic><pic:blipFill>'
            f'<a:blip r:embed="{rel_id}"/></pic:blipFill></pic:pic></a:graphicData></a:graphic>'
            f'</wp:inline></w:drawing></w:r>')


_DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body>'
    '<w:p><w:r><w:t>二、主动公开政府信息情况</w:t></w:r></w:p>'
    f'<w:p>{_drawing("rId7")}</w:p>'
    '<w:p><w:r><w:t>三、收到和处理</w:t></w:r><w:r><w:t>政府信息公开申请情况</w:t></w:r></w:p>'
    f'<w:p>{_drawing("rId8")}</w:p>'
    '</w:body></w:document>')


def make_docx(path: Path) -> Path:
    first, second = io.BytesIO(), io.BytesIO()
    table_picture(300, 150).save(first, "PNG")
    table_picture(200, 100).save(second, "JPEG")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("word/document.xml", _DOCUMENT)
        package.writestr("word/_rels/document.xml.rels", _RELS)
        package.writestr("word/media/image1.png", first.getvalue())
        package.writestr("word/media/image2.jpeg", second.getvalue())
    return path


def test_docx_text_and_pictures_in_document_order(tmp_path: Path):
    doc = load_document(make_docx(tmp_path / "report.docx"))
    assert doc.kind == "docx"
    text, *pictures = doc.pages
    assert text.origin == "text"
    assert [line for line in text.text.splitlines() if line] == [
        "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况"]
    assert [(p.number, p.origin) for p in pictures] == [(1, "embedded"), (2, "embedded")]
    assert_bgr(pictures[0], 300, 150)
    assert_bgr(pictures[1], 200, 100)


def test_damaged_docx(tmp_path: Path):
    data = make_docx(tmp_path / "good.docx").read_bytes()
    path = tmp_path / "cut.docx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DamagedInput):
        load_document(path)


def test_a_zip_that_is_no_docx_is_unsupported(tmp_path: Path):
    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("readme.txt", "hello")
    with pytest.raises(UnsupportedInput):
        load_document(path)


# ---------------------------------------------------------------- HTML and text


def test_html_text_and_local_and_inline_pictures(tmp_path: Path):
    save(table_picture(300, 150), tmp_path / "table one.png")
    buffer = io.BytesIO()
    table_picture(120, 90).save(buffer, "PNG")
    import base64

    inline = base64.b64encode(buffer.getvalue()).decode()
    html = (
        "<html><head><meta charset='gbk'><style>p {color: red}</style>"
        "<script>var x = '不要';</script></head><body>"
        "<p>二、主动公开政府信息情况</p>"
        "<table><tr><td>规章</td><td>3</td></tr></table>"
        "<img src='table%20one.png'><img src='http://example.org/remote.png'>"
        f"<img src='data:image/png;base64,{inline}'><img src='missing.png'>"
        "</body></html>")
    path = tmp_path / "report.htm"
    path.write_bytes(html.encode("gbk"))
    doc = load_document(path)
    assert doc.kind == "html"
    text, *pictures = doc.pages
    assert "二、主动公开政府信息情况" in text.text
    assert "规章 | 3" in text.text
    assert "不要" not in text.text and "color" not in text.text
    assert [(p.number, p.image.shape[:2]) for p in pictures] == [(1, (150, 300)), (2, (90, 120))]
    assert any("remote" in note for note in doc.notes)
    assert any("missing.png" in note for note in doc.notes)


def test_html_is_found_by_content_whatever_its_name(tmp_path: Path):
    path = tmp_path / "download.txt"
    path.write_text("<!DOCTYPE html><html><body><p>总计</p></body></html>", encoding="utf-8")
    doc = load_document(path)
    assert doc.kind == "html"
    assert doc.pages[0].text == "总计"


def test_text_report_in_gbk_is_decoded(tmp_path: Path):
    path = tmp_path / "report.txt"
    path.write_bytes("（七）总计 | 3 | 4\n".encode("gbk"))
    doc = load_document(path)
    assert doc.kind == "text"
    assert doc.pages == (Page(1, None, "（七）总计 | 3 | 4\n", None, "text"),)


def test_text_report_with_broken_encoding_is_repaired(tmp_path: Path):
    path = tmp_path / "report.txt"
    path.write_text("?。ㄆ撸┛傆?/p> | 0 | 0 |\n", encoding="utf-8")
    assert load_document(path).pages[0].text == "（七）總計</p> | 0 | 0 |\n"


def test_document_is_immutable(tmp_path: Path):
    doc = load_document(save(table_picture(), tmp_path / "a.png"))
    assert isinstance(doc, Document)
    with pytest.raises(AttributeError):
        doc.kind = "pdf"  # type: ignore[misc]
