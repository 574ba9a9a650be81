"""Uploaded receipts: the type read from the content, images stored without metadata, PDFs that
cannot act when opened. Every file is real, written in the test; nothing is mocked."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageCms, PngImagePlugin
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, TextStringObject

from gateway.receipt_content import CleanReceipt, ReceiptRejected, clean_receipt

STORED_TYPES = {"image/jpeg", "image/png", "application/pdf"}
GPS_IFD = 0x8825
ORIENTATION = 0x0112
# A GPS string no encoder would write by chance: if these bytes survive, the position did too.
SECRET_PLACE = "MEMBER-HOME-60.1701N-24.9354E"
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>SECRET-XMP</rdf:RDF></x:xmpmeta>'


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _rejected(path: Path, **limits: int) -> str:
    with pytest.raises(ReceiptRejected) as caught:
        clean_receipt(path, **limits)
    return caught.value.reason


def _gps_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if orientation is not None:
        exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (60.0, 10.0, 12.25)
    gps[3] = "E"
    gps[4] = (24.0, 56.0, 7.5)
    gps[0x12] = SECRET_PLACE  # GPSMapDatum
    return exif


def _srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _jpeg(size: tuple[int, int] = (64, 48), colour: str = "white", **params: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", **params)
    return out.getvalue()


def _png(image: Image.Image, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", **params)
    return out.getvalue()


def _noisy_jpeg() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((256, 256), 80).convert("RGB").save(out, "JPEG", quality=95)
    return out.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG header announcing ``width`` × ``height`` pixels, followed by no real pixel data:
    decoding it would fail, so a rejection for its size shows nothing was decoded."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 16))
        + chunk(b"IEND", b"")
    )


def _jpeg_claiming(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header (SOF0) is rewritten to announce a huge size."""
    data = bytearray(_jpeg((16, 16)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def _heic(image: Image.Image, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, "HEIF", **params)
    return out.getvalue()


def _pdf(change: Callable[[PdfWriter], object] = lambda writer: None, pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(200, 200)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"


def _raw_pdf(*bodies: bytes, unlisted: bytes = b"") -> bytes:
    """A hand-written PDF with a classic cross-reference table; object 1 is the catalog.
    ``unlisted`` is written as one more object that the table leaves out."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    if unlisted:
        out += b"%d 0 obj\n%s\nendobj\n" % (len(bodies) + 1, unlisted)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(bodies) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _pdf_with_object_stream(*bodies: bytes) -> bytes:
    """A PDF 1.5 whose objects all sit in one compressed object stream, found through a
    cross-reference stream: none of their names can be seen in the file's bytes."""
    count = len(bodies)
    stream_number, xref_number = count + 1, count + 2
    index, packed = [], b""
    for number, body in enumerate(bodies, start=1):
        index.append(b"%d %d" % (number, len(packed)))
        packed += body + b"\n"
    head = b" ".join(index) + b"\n"
    compressed = zlib.compress(head + packed)

    out = bytearray(b"%PDF-1.7\n")
    stream_offset = len(out)
    out += b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\n" % (
        stream_number,
        count,
        len(head),
        len(compressed),
    )
    out += b"stream\n" + compressed + b"\nendstream\nendobj\n"
    xref_offset = len(out)
    rows = [struct.pack(">BIH", 0, 0, 0xFFFF)]
    rows += [struct.pack(">BIH", 2, stream_number, position) for position in range(count)]
    rows += [struct.pack(">BIH", 1, stream_offset, 0), struct.pack(">BIH", 1, xref_offset, 0)]
    table = b"".join(rows)
    out += b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\n" % (
        xref_number,
        xref_number + 1,
        len(table),
    )
    out += b"stream\n" + table + b"\nendstream\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref_offset
    return bytes(out)


# --- images -------------------------------------------------------------------------------


def test_a_jpeg_loses_gps_exif_xmp_comment_and_icc_profile(tmp_path: Path):
    original = _jpeg(
        exif=_gps_exif(),
        xmp=XMP,
        comment=b"SECRET-COMMENT",
        icc_profile=_srgb_profile(),
    )
    assert SECRET_PLACE.encode() in original and b"Exif" in original  # the test has teeth

    receipt = clean_receipt(_write(tmp_path, "receipt.jpg", original))

    assert receipt.content_type == "image/jpeg"
    for trace in (b"Exif", SECRET_PLACE.encode(), b"SECRET-XMP", b"http://ns.adobe.com/xap"):
        assert trace not in receipt.data
    for trace in (b"SECRET-COMMENT", b"ICC_PROFILE", b"PhoneMaker"):
        assert trace not in receipt.data
    with Image.open(io.BytesIO(receipt.data)) as cleaned:
        assert cleaned.format == "JPEG"
        assert not cleaned.getexif()
        assert not cleaned.getexif().get_ifd(GPS_IFD)
        assert not {"exif", "icc_profile", "comment", "xmp"} & cleaned.info.keys()
        assert cleaned.size == (64, 48)


def test_the_exif_orientation_is_applied_to_the_pixels_then_dropped(tmp_path: Path):
    # Stored 40 wide and 20 high, red in the top-left corner; orientation 6 says "turn it a
    # quarter clockwise to show it": 20 wide, 40 high, red in the top-right corner.
    image = Image.new("RGB", (40, 20), "white")
    image.paste((255, 0, 0), (0, 0, 10, 10))
    original = io.BytesIO()
    image.save(original, "JPEG", quality=95, exif=_gps_exif(orientation=6))

    receipt = clean_receipt(_write(tmp_path, "sideways.jpg", original.getvalue()))

    with Image.open(io.BytesIO(receipt.data)) as cleaned:
        assert cleaned.size == (20, 40)
        assert ORIENTATION not in cleaned.getexif()
        red, green, _ = cleaned.convert("RGB").getpixel((15, 5))  # type: ignore[misc]
        assert red > 200 and green < 60
        assert cleaned.convert("RGB").getpixel((5, 5)) == pytest.approx((255, 255, 255), abs=40)


def test_a_png_loses_its_text_chunks_exif_and_icc_profile_and_keeps_its_pixels(tmp_path: Path):
    image = Image.effect_noise((48, 32), 60).convert("RGB")
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "SECRET-TEXT")
    text.add_text("Description", "SECRET-ZTXT", zip=True)
    text.add_itxt("Author", "SECRET-ITXT")
    original = _png(image, pnginfo=text, exif=_gps_exif(), icc_profile=_srgb_profile())
    assert b"tEXt" in original and b"eXIf" in original and b"iCCP" in original

    receipt = clean_receipt(_write(tmp_path, "receipt.png", original))

    assert receipt.content_type == "image/png"
    for chunk in (b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"iCCP", b"SECRET", SECRET_PLACE.encode()):
        assert chunk not in receipt.data
    with Image.open(io.BytesIO(receipt.data)) as cleaned:
        assert not cleaned.getexif() and not getattr(cleaned, "text", {})
        assert ImageChops.difference(cleaned.convert("RGB"), image).getbbox() is None


def test_a_transparent_palette_png_stays_a_png_with_its_transparency(tmp_path: Path):
    image = Image.new("P", (8, 8), 1)
    image.putpalette([0, 0, 0, 255, 0, 0])
    image.paste(0, (0, 0, 4, 8))
    original = _png(image, transparency=0)

    receipt = clean_receipt(_write(tmp_path, "logo.png", original))

    with Image.open(io.BytesIO(receipt.data)) as cleaned:
        assert (receipt.content_type, cleaned.mode) == ("image/png", "RGBA")
        assert cleaned.getpixel((0, 0))[3] == 0  # type: ignore[index]
        assert cleaned.getpixel((6, 0)) == (255, 0, 0, 255)


def test_a_16_bit_grey_scan_is_scaled_not_clipped_to_white(tmp_path: Path):
    original = _png(Image.new("I;16", (8, 8), 40_000))

    receipt = clean_receipt(_write(tmp_path, "scan.png", original))

    with Image.open(io.BytesIO(receipt.data)) as cleaned:
        assert cleaned.mode == "L"
        assert cleaned.getpixel((0, 0)) == 40_000 // 256


def test_a_cmyk_jpeg_becomes_an_rgb_jpeg(tmp_path: Path):
    original = io.BytesIO()
    Image.new("CMYK", (16, 16), (0, 0, 0, 0)).save(original, "JPEG")

    receipt = clean_receipt(_write(tmp_path, "print.jpg", original.getvalue()))

    with Image.open(io.BytesIO(receipt.data)) as cleaned:
        assert (receipt.content_type, cleaned.mode) == ("image/jpeg", "RGB")


def test_an_animated_png_keeps_its_first_frame_only(tmp_path: Path):
    frames = [Image.new("RGB", (8, 8), colour) for colour in ("red", "lime", "blue")]
    original = io.BytesIO()
    frames[0].save(original, "PNG", save_all=True, append_images=frames[1:])

    receipt = clean_receipt(_write(tmp_path, "animated.png", original.getvalue()))

    assert b"acTL" not in receipt.data
    with Image.open(io.BytesIO(receipt.data)) as cleaned:
        assert getattr(cleaned, "n_frames", 1) == 1
        assert cleaned.getpixel((0, 0)) == (255, 0, 0)


def test_a_heic_photo_becomes_a_jpeg_without_its_metadata(tmp_path: Path):
    original = _heic(Image.new("RGB", (64, 48), "navy"), exif=_gps_exif(), xmp=XMP, quality=90)
    assert original[4:12] == b"ftypheic"
    assert SECRET_PLACE.encode() in original and b"SECRET-XMP" in original

    receipt = clean_receipt(_write(tmp_path, "IMG_0001.HEIC", original))

    assert receipt.content_type == "image/jpeg"
    assert SECRET_PLACE.encode() not in receipt.data and b"SECRET-XMP" not in receipt.data
    assert b"Exif" not in receipt.data
    with Image.open(io.BytesIO(receipt.data)) as cleaned:
        assert (cleaned.format, cleaned.size) == ("JPEG", (64, 48))
        assert not cleaned.getexif()


def test_a_heic_with_an_alpha_channel_becomes_an_rgb_jpeg(tmp_path: Path):
    original = _heic(Image.new("RGBA", (16, 16), (0, 0, 128, 128)))

    receipt = clean_receipt(_write(tmp_path, "alpha.heif", original))

    with Image.open(io.BytesIO(receipt.data)) as cleaned:
        assert (receipt.content_type, cleaned.mode) == ("image/jpeg", "RGB")


def test_the_name_of_the_file_plays_no_part(tmp_path: Path):
    receipt = clean_receipt(_write(tmp_path, "receipt.pdf", _png(Image.new("RGB", (4, 4)))))
    assert receipt.content_type == "image/png"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("png 50,000 × 50,000 (beyond Pillow's own limit)", _png_claiming(50_000, 50_000)),
        ("png 8,000 × 6,000 (within Pillow's, beyond ours)", _png_claiming(8_000, 6_000)),
        ("jpeg 60,000 × 60,000", _jpeg_claiming(60_000, 60_000)),
        ("jpeg 7,000 × 7,000", _jpeg_claiming(7_000, 7_000)),
    ],
)
def test_a_decompression_bomb_is_refused_from_its_header(tmp_path: Path, name: str, data: bytes):
    # The pixel data behind these headers would not decode: "image too large" rather than
    # "corrupt image" shows the size was refused before any decoding.
    assert len(data) < 2_000
    assert _rejected(_write(tmp_path, "bomb.png", data)) == "image too large"


def test_max_pixels_is_inclusive(tmp_path: Path):
    path = _write(tmp_path, "square.png", _png(Image.new("L", (100, 100))))
    assert clean_receipt(path, max_pixels=10_000).content_type == "image/png"
    assert _rejected(path, max_pixels=9_999) == "image too large"


def test_a_large_but_well_compressed_image_is_refused_below_max_pixels(tmp_path: Path):
    original = _png(Image.new("1", (5_000, 5_000)))  # 25 megapixels in a few kilobytes
    assert len(original) < 100_000
    assert _rejected(_write(tmp_path, "flat.png", original), max_pixels=1_000_000) == (
        "image too large"
    )


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("truncated jpeg", _noisy_jpeg()[:5_000]),
        ("jpeg signature then text", b"\xff\xd8\xff" + b"not a picture " * 50),
        ("truncated png", _png(Image.effect_noise((64, 64), 80))[:1_500]),
        ("png signature then zeros", b"\x89PNG\r\n\x1a\n" + bytes(100)),
        ("truncated heic", _heic(Image.effect_noise((64, 64), 80).convert("RGB"))[:600]),
        (
            "heic brand then nothing",
            b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64),
        ),
    ],
)
def test_a_corrupt_image_is_rejected(tmp_path: Path, name: str, data: bytes):
    assert _rejected(_write(tmp_path, "broken.jpg", data)) == "corrupt image"


# --- types --------------------------------------------------------------------------------


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (4, 4)).save(out, "GIF")
    return out.getvalue()


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("receipt.jpg", _jpeg())
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("text", b"This is a receipt, honest.\n" * 10),
        ("windows executable", b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200)),
        ("gif", _gif()),
        ("zip holding a jpeg", _zip()),
        ("bmp", b"BM" + bytes(100)),
        ("avif", b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + bytes(64)),
        ("mp4", b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(64)),
        ("pdf header after a preamble", b"<html>\n" + _pdf()),
        ("a lone byte", b"\xff"),
    ],
)
def test_what_is_not_a_receipt_type_is_rejected_whatever_its_name(
    tmp_path: Path, name: str, data: bytes
):
    assert _rejected(_write(tmp_path, "receipt.jpg", data)) == "unsupported type"


def test_an_empty_file_is_rejected(tmp_path: Path):
    assert _rejected(_write(tmp_path, "empty.jpg", b"")) == "empty file"


def test_a_file_over_max_bytes_is_rejected_and_one_at_it_is_not(tmp_path: Path):
    data = _jpeg()
    path = _write(tmp_path, "receipt.jpg", data)
    assert clean_receipt(path, max_bytes=len(data)).content_type == "image/jpeg"
    assert _rejected(path, max_bytes=len(data) - 1) == "file too large"


def test_a_big_file_is_refused_by_its_size_whatever_it_holds(tmp_path: Path):
    path = _write(tmp_path, "big.pdf", b"%PDF-1.7\n" + bytes(11 * 1024 * 1024))
    assert _rejected(path) == "file too large"


# --- pdf ----------------------------------------------------------------------------------


def test_a_plain_pdf_is_stored_as_uploaded(tmp_path: Path):
    original = _pdf()
    receipt = clean_receipt(_write(tmp_path, "receipt.pdf", original))
    assert receipt == CleanReceipt("application/pdf", original)


def test_a_pdf_with_compressed_object_streams_is_accepted_when_harmless(tmp_path: Path):
    original = _pdf_with_object_stream(CATALOG, PAGES, PAGE)
    assert clean_receipt(_write(tmp_path, "modern.pdf", original)).content_type == (
        "application/pdf"
    )


def test_fifty_pages_pass_and_fifty_one_do_not(tmp_path: Path):
    assert clean_receipt(_write(tmp_path, "50.pdf", _pdf(pages=50))).content_type == (
        "application/pdf"
    )
    assert _rejected(_write(tmp_path, "51.pdf", _pdf(pages=51))) == "pdf has too many pages"


def test_a_pdf_without_pages_is_rejected(tmp_path: Path):
    assert _rejected(_write(tmp_path, "none.pdf", _pdf(pages=0))) == "pdf has no pages"


def _launch_link(writer: PdfWriter) -> None:
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(0)] * 2 + [FloatObject(50)] * 2),
            NameObject("/A"): DictionaryObject(
                {
                    NameObject("/S"): NameObject("/Launch"),
                    NameObject("/F"): TextStringObject("calc.exe"),
                }
            ),
        }
    )
    writer.add_annotation(0, link)


JS_ACTION = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        (
            "open action javascript",
            _pdf(lambda writer: writer.add_open_action(JavaScript("app.alert(1)"))),
            "pdf has javascript",
        ),
        (
            "javascript in a compressed object stream",
            _pdf_with_object_stream(
                b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>", PAGES, PAGE, JS_ACTION
            ),
            "pdf has javascript",
        ),
        (
            "document-level javascript name tree",
            _raw_pdf(
                b"<< /Type /Catalog /Pages 2 0 R /Names << /JavaScript 4 0 R >> >>",
                PAGES,
                PAGE,
                b"<< /Names [(init) 5 0 R] >>",
                JS_ACTION,
            ),
            "pdf has javascript",
        ),
        (
            "page additional action",
            _raw_pdf(
                CATALOG,
                PAGES,
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /AA << /O 4 0 R >> >>",
                JS_ACTION,
            ),
            "pdf has javascript",
        ),
        (
            "javascript in an object nothing refers to",
            _raw_pdf(CATALOG, PAGES, PAGE, JS_ACTION),
            "pdf has javascript",
        ),
        (
            "embedded file",
            _pdf(lambda writer: writer.add_attachment("invoice.exe", b"MZ")),
            "pdf has embedded file",
        ),
        (
            "file attachment annotation",
            _raw_pdf(
                CATALOG,
                PAGES,
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [4 0 R] >>",
                b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 9 9] /FS (a.exe) >>",
            ),
            "pdf has embedded file",
        ),
        ("launch action on a link", _pdf(_launch_link), "pdf has launch action"),
        (
            # Invisible to pypdf; a viewer rebuilding a damaged file's table would find it.
            "javascript in an object the table does not list",
            _raw_pdf(CATALOG, PAGES, PAGE, unlisted=JS_ACTION),
            "pdf has javascript",
        ),
        (
            # "#61" is "a": the name reads /Launch once parsed, though the bytes never say so.
            "launch action with an escaped name",
            _raw_pdf(
                b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /L#61unch /F (calc) >> >>",
                PAGES,
                PAGE,
            ),
            "pdf has launch action",
        ),
        ("encrypted", _pdf(lambda writer: writer.encrypt("secret")), "pdf is encrypted"),
        (
            "encrypted with an empty user password",
            _pdf(lambda writer: writer.encrypt("", "owner", algorithm="AES-256")),
            "pdf is encrypted",
        ),
        ("garbage after the header", b"%PDF-1.7\n" + b"garbage\n" * 50, "corrupt pdf"),
        (
            "garbage between header and end marker",
            b"%PDF-1.7\n" + bytes(range(256)) * 4 + b"\nstartxref\n9\n%%EOF\n",
            "corrupt pdf",
        ),
        ("a pdf cut short", _pdf()[:-200], "corrupt pdf"),
        (
            # pypdf would rebuild the table when not strict; a viewer might rebuild it otherwise.
            "a table that needs repair",
            _raw_pdf(CATALOG, PAGES, PAGE).replace(b"startxref\n", b"startxref\n1"),
            "corrupt pdf",
        ),
    ],
)
def test_a_pdf_that_could_act_or_cannot_be_checked_is_rejected(
    tmp_path: Path, name: str, data: bytes, reason: str
):
    assert _rejected(_write(tmp_path, "receipt.pdf", data)) == reason


def test_the_hidden_pdf_actions_are_not_visible_in_the_bytes():
    """The two cases above that only a walk of the parsed objects can find."""
    compressed = _pdf_with_object_stream(CATALOG, PAGES, PAGE, JS_ACTION)
    escaped = _raw_pdf(b"<< /OpenAction << /S /L#61unch >> >>", PAGES, PAGE)
    assert b"JavaScript" not in compressed and b"/JS" not in compressed
    assert b"Launch" not in escaped


# --- every outcome ------------------------------------------------------------------------

SIGNATURES = [
    b"\xff\xd8\xff",
    b"\x89PNG\r\n\x1a\n",
    b"%PDF-1.7\n",
    b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",
    b"",
]


@settings(max_examples=300, deadline=None)
@given(prefix=st.sampled_from(SIGNATURES), tail=st.binary(min_size=0, max_size=3_000))
def test_any_content_is_stored_as_one_of_three_types_or_rejected(
    tmp_path_factory: pytest.TempPathFactory, prefix: bytes, tail: bytes
):
    path = tmp_path_factory.getbasetemp() / "fuzzed.bin"
    path.write_bytes(prefix + tail)
    try:
        receipt = clean_receipt(path)
    except ReceiptRejected as rejected:
        assert rejected.reason
    else:
        assert receipt.content_type in STORED_TYPES


@pytest.mark.parametrize(
    "data",
    [
        _jpeg(),
        _png(Image.new("LA", (4, 4))),
        _png(Image.new("1", (4, 4))),
        _heic(Image.new("RGB", (8, 8))),
        _pdf(),
    ],
)
def test_whatever_is_accepted_is_stored_as_one_of_three_types(tmp_path: Path, data: bytes):
    receipt = clean_receipt(_write(tmp_path, "upload", data))
    assert receipt.content_type in STORED_TYPES
    if receipt.content_type.startswith("image/"):
        with Image.open(io.BytesIO(receipt.data)) as stored:
            assert stored.format == receipt.content_type.removeprefix("image/").upper()
