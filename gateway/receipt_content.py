"""What an uploaded receipt really is, and the copy of it that is safe to keep.

Members photograph receipts with phones, and a phone photo carries where it was taken (EXIF
GPS): the gateway keeps only the pixels, re-encoded. The type comes from the content alone,
since a filename or a client's content type is whatever the client wants it to be. PDFs are
stored as uploaded, so the checks refuse what would act when staff open one: scripts, launch
actions, embedded files; and what cannot be checked: encrypted or unparseable documents.

Images: only the first frame of an animated or multi-image file is kept (a receipt is one
picture; a burst or "live" HEIC shows its primary image). CMYK JPEGs are converted to RGB
without colour management, and ICC profiles are dropped: a receipt needs to be legible, not
colour-exact.

The work is CPU-bound (decoding, re-encoding, parsing up to ``max_bytes``): callers in async code
run it in a worker thread or process.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pillow_heif
from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject

pillow_heif.register_heif_opener()

_Kind = Literal["jpeg", "png", "heif", "pdf"]

# A HEIF file names its brands in its first box. mif1/msf1 are only the container's structure
# and AVIF files list them too: they identify HEIF only as the major brand.
_HEVC_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"})
_HEIF_MAJOR_BRANDS = _HEVC_BRANDS | {b"mif1", b"msf1"}

# Pillow decoder for each kind; opening with that decoder alone keeps Pillow from sniffing a
# format of its own. A JPEG holding several pictures (MPO) is still a JPEG.
_DECODERS: dict[_Kind, tuple[str, ...]] = {
    "jpeg": ("JPEG", "MPO"),
    "png": ("PNG",),
    "heif": ("HEIF",),
}

MAX_PDF_PAGES = 50

# Names that make a PDF act when opened (or that hold another file), whether as keys (/JS,
# /EmbeddedFiles) or values (/S /JavaScript, /Subtype /FileAttachment).
_PDF_FORBIDDEN_NAMES = {
    "/JavaScript": "pdf has javascript",
    "/JS": "pdf has javascript",
    "/EmbeddedFile": "pdf has embedded file",
    "/EmbeddedFiles": "pdf has embedded file",
    "/FileAttachment": "pdf has embedded file",
    "/Launch": "pdf has launch action",
}

# The same names seen in the raw bytes, in case an object hides outside the cross-reference
# table. /JS is left out: three bytes turn up by chance in megabytes of compressed data.
_PDF_FORBIDDEN_BYTES = {
    name.encode(): reason for name, reason in _PDF_FORBIDDEN_NAMES.items() if name != "/JS"
}


class ReceiptRejected(Exception):
    """An upload that is not kept; ``reason`` is for logs, never shown raw to members."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CleanReceipt:
    content_type: str  # "image/jpeg", "image/png" or "application/pdf"
    data: bytes


def clean_receipt(
    path: Path, *, max_bytes: int = 10 * 1024 * 1024, max_pixels: int = 40_000_000
) -> CleanReceipt:
    """The receipt at ``path`` as it may be stored, or ReceiptRejected saying why not."""
    data = _read_bounded(path, max_bytes)
    kind = _sniff(data)
    if kind == "pdf":
        _check_pdf(data)
        return CleanReceipt("application/pdf", data)
    return _clean_image(data, kind, max_pixels)


def _read_bounded(path: Path, max_bytes: int) -> bytes:
    """Sized from the open file, then read no further than the limit, even if it grows."""
    with path.open("rb") as file:
        size = os.fstat(file.fileno()).st_size
        if size > max_bytes:
            raise ReceiptRejected("file too large")
        data = file.read(max_bytes + 1)
    if not data:
        raise ReceiptRejected("empty file")
    if len(data) > max_bytes:
        raise ReceiptRejected("file too large")
    return data


def _sniff(data: bytes) -> _Kind:
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    # Readers accept "%PDF-" anywhere in the first kilobyte; bytes before it are a hiding place.
    if data.startswith(b"%PDF-"):
        return "pdf"
    if _is_heif(data):
        return "heif"
    raise ReceiptRejected("unsupported type")


def _is_heif(data: bytes) -> bool:
    if data[4:8] != b"ftyp":
        return False
    box_size = int.from_bytes(data[:4], "big")
    if box_size < 16 or box_size > len(data) or box_size % 4:
        return False
    if data[8:12] in _HEIF_MAJOR_BRANDS:
        return True
    compatible = {data[offset : offset + 4] for offset in range(16, box_size, 4)}
    return not compatible.isdisjoint(_HEVC_BRANDS)


def _clean_image(data: bytes, kind: _Kind, max_pixels: int) -> CleanReceipt:
    try:
        with Image.open(io.BytesIO(data), formats=_DECODERS[kind]) as image:
            # The header alone gives the size: a bomb is refused before its pixels are decoded.
            width, height = image.size
            if width * height > max_pixels:
                raise ReceiptRejected("image too large")
            upright = ImageOps.exif_transpose(image)
    except ReceiptRejected:
        raise
    except Image.DecompressionBombError as error:
        # Pillow's own limit (2 × Image.MAX_IMAGE_PIXELS, some 179 megapixels) refuses at open,
        # whatever max_pixels allows.
        raise ReceiptRejected("image too large") from error
    except Exception as error:  # Pillow's decoders raise many kinds on corrupt or truncated data
        raise ReceiptRejected("corrupt image") from error

    out = io.BytesIO()
    if kind == "png":
        _storable_pixels(upright, keep_alpha=True).save(out, "PNG")
        return CleanReceipt("image/png", out.getvalue())
    _storable_pixels(upright, keep_alpha=False).save(out, "JPEG", quality=90)
    return CleanReceipt("image/jpeg", out.getvalue())


def _storable_pixels(image: Image.Image, *, keep_alpha: bool) -> Image.Image:
    """8-bit grey, RGB or RGBA pixels, and nothing else: no ``info`` left for encoders to copy."""
    if image.mode.startswith("I"):  # 16-bit grey, which a plain convert would clip to white
        image = image.point(lambda value: value / 256).convert("L")
    if keep_alpha and image.has_transparency_data:
        mode = "RGBA"
    else:
        mode = "L" if image.mode == "L" else "RGB"
    pixels = image if image.mode == mode else image.convert(mode)
    # Encoders still take an ICC profile, a comment or a transparency colour from ``info``.
    pixels.info = {}
    return pixels


def _check_pdf(data: bytes) -> None:
    # Strict: a file pypdf would have to repair may read differently in a viewer than here.
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
    except Exception as error:  # pypdf raises many kinds on malformed input
        raise ReceiptRejected("corrupt pdf") from error
    if reader.is_encrypted:
        raise ReceiptRejected("pdf is encrypted")
    try:
        pages = len(reader.pages)
        names = set(_names_in(reader))
    except Exception as error:
        raise ReceiptRejected("corrupt pdf") from error
    for name, reason in _PDF_FORBIDDEN_NAMES.items():
        if name in names:
            raise ReceiptRejected(reason)
    for marker, reason in _PDF_FORBIDDEN_BYTES.items():
        if marker in data:
            raise ReceiptRejected(reason)
    if pages == 0:
        raise ReceiptRejected("pdf has no pages")
    if pages > MAX_PDF_PAGES:
        raise ReceiptRejected("pdf has too many pages")


def _names_in(reader: PdfReader) -> Iterator[str]:
    """Every name in every object of the document, reachable from the catalog or not.

    Walking all objects, those inside compressed object streams included, finds an action
    wherever it is attached: catalog, pages, annotations, form fields, outlines.
    """
    pending: list[PdfObject | None] = [reader.trailer]
    for generation, entries in reader.xref.items():
        pending += (reader.get_object(IndirectObject(n, generation, reader)) for n in entries)
    pending += (reader.get_object(IndirectObject(n, 0, reader)) for n in reader.xref_objStm)
    while pending:
        obj = pending.pop()
        # Indirect references are not followed: their targets are in the table, walked above.
        if isinstance(obj, NameObject):
            yield str(obj)
        elif isinstance(obj, DictionaryObject):  # streams included
            yield from (str(key) for key in obj)
            pending += obj.values()
        elif isinstance(obj, ArrayObject):
            pending += obj
