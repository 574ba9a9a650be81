"""Receipts as files of the GraphQL multipart request spec (what apollo-upload-client and the
mobile apps send), read as a stream.

A multipart request is a form a web page could post across sites, so it must carry one of the
preflight headers Apollo Server asks for (a header no form can set). Its parts come in the
spec's order, operations first: the document is read and checked (one mutation, one field,
``uploadReceipt``) before a byte of the file, so the larger body limit serves that operation
alone. The file goes to a temporary file in chunks, never whole in memory, and reading stops
at the size limit.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import FieldNode, GraphQLSyntaxError, OperationDefinitionNode, OperationType, parse
from python_multipart.multipart import MultipartParser, parse_options_header

from gateway.receipts import Upload

PREFLIGHT_HEADERS = ("apollo-require-preflight", "x-apollo-operation-name", "graphql-preflight")
UPLOAD_FIELDS = frozenset({"uploadReceipt"})
_MAP_BYTES = 4096
_PART_HEADER_BYTES = 4096


class UploadRefused(Exception):
    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def has_preflight_header(headers: Any) -> bool:
    return any(headers.get(name, "").strip() for name in PREFLIGHT_HEADERS)


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    name: str = ""
    filename: str | None = None
    data: bytearray = field(default_factory=bytearray)
    header_field: bytearray = field(default_factory=bytearray)
    header_value: bytearray = field(default_factory=bytearray)
    header_bytes: int = 0


class _Reader:
    """Collects the operations and map parts, streams the one file part to disk."""

    def __init__(self, max_operations_bytes: int, max_file_bytes: int) -> None:
        self.max_operations_bytes = max_operations_bytes
        self.max_file_bytes = max_file_bytes
        self.parts: list[_Part] = []
        self.operations: dict[str, Any] | None = None
        self.file_key: str | None = None
        self.file: Upload | None = None
        self._sink: Any = None
        self.stop = False

    @property
    def part(self) -> _Part:
        return self.parts[-1]

    def on_part_begin(self) -> None:
        if len(self.parts) == 3:
            raise UploadRefused(400, "One file per request.", "BAD_REQUEST")
        self.parts.append(_Part())

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        if self.part.header_value:
            self._end_header()
        self.part.header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self.part.header_value += data[start:end]

    def on_header_end(self) -> None:
        self._end_header()

    def _count_header(self, size: int) -> None:
        self.part.header_bytes += size
        if self.part.header_bytes > _PART_HEADER_BYTES:
            raise UploadRefused(400, "A part's headers are too long.", "BAD_REQUEST")

    def _end_header(self) -> None:
        part = self.part
        if part.header_field:
            part.headers[bytes(part.header_field).lower()] = bytes(part.header_value)
        part.header_field = bytearray()
        part.header_value = bytearray()

    def on_headers_finished(self) -> None:
        part = self.part
        _, options = parse_options_header(part.headers.get(b"content-disposition", b""))
        part.name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        part.filename = filename.decode("utf-8", "replace") if filename is not None else None
        expected = ("operations", "map")
        index = len(self.parts) - 1
        if index < 2 and part.name != expected[index]:
            raise UploadRefused(
                400, "The parts must be operations, map, then the file.", "BAD_REQUEST"
            )
        if index == 2:
            if part.name != self.file_key:
                raise UploadRefused(
                    400, "The file part is not the one the map names.", "BAD_REQUEST"
                )
            descriptor, path = tempfile.mkstemp(prefix="receipt-", suffix=".upload")
            self._sink = os.fdopen(descriptor, "wb")
            self.file = Upload(Path(path), 0, too_large=False)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        index = len(self.parts) - 1
        chunk = data[start:end]
        if index == 2:
            assert self.file is not None and self._sink is not None
            self.file.size += len(chunk)
            if self.file.size > self.max_file_bytes:
                self.file.too_large = True
                self.stop = True
                return
            self._sink.write(chunk)
            return
        limit = self.max_operations_bytes if index == 0 else _MAP_BYTES
        if len(self.part.data) + len(chunk) > limit:
            raise UploadRefused(
                413, f"The {self.part.name} part is larger than {limit} bytes.", "PAYLOAD_TOO_LARGE"
            )
        self.part.data += chunk

    def on_part_end(self) -> None:
        index = len(self.parts) - 1
        if index == 0:
            self.operations = _operations(bytes(self.part.data))
        elif index == 1:
            self.file_key = _file_key(bytes(self.part.data))
        elif self._sink is not None:
            self._sink.close()
            self._sink = None

    def close(self) -> None:
        if self._sink is not None:
            self._sink.close()
            self._sink = None


def _json(raw: bytes, part: str) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise UploadRefused(400, f"The {part} part is not JSON.", "BAD_REQUEST") from None


def _operations(raw: bytes) -> dict[str, Any]:
    """One operation, a mutation, whose only field is an upload: nothing else may ride on the
    larger body limit."""
    operations = _json(raw, "operations")
    if not isinstance(operations, dict) or not isinstance(operations.get("query"), str):
        raise UploadRefused(400, "operations must be one object with a query.", "BAD_REQUEST")
    try:
        document = parse(operations["query"], no_location=True, max_tokens=500)
    except GraphQLSyntaxError:
        raise UploadRefused(400, "The query of operations does not parse.", "BAD_REQUEST") from None
    definitions = document.definitions
    only = definitions[0] if len(definitions) == 1 else None
    if not (
        isinstance(only, OperationDefinitionNode)
        and only.operation is OperationType.MUTATION
        and len(only.selection_set.selections) == 1
        and isinstance(only.selection_set.selections[0], FieldNode)
        and only.selection_set.selections[0].name.value in UPLOAD_FIELDS
    ):
        raise UploadRefused(
            400, "A multipart request may only carry the uploadReceipt mutation.", "BAD_REQUEST"
        )
    variables = operations.get("variables")
    if not isinstance(variables, dict) or "file" not in variables or variables["file"] is not None:
        raise UploadRefused(400, 'operations must hold "variables": {"file": null}.', "BAD_REQUEST")
    return operations


def _file_key(raw: bytes) -> str:
    mapping = _json(raw, "map")
    if (
        not isinstance(mapping, dict)
        or len(mapping) != 1
        or list(mapping.values()) != [["variables.file"]]
    ):
        raise UploadRefused(400, 'map must be {"<key>": ["variables.file"]}.', "BAD_REQUEST")
    return str(next(iter(mapping)))


async def read_upload(
    content_type: str,
    chunks: AsyncIterator[bytes],
    *,
    max_operations_bytes: int,
    max_file_bytes: int,
) -> tuple[dict[str, Any], Upload]:
    """The operations object (its ``file`` variable the received file) and the file. On any
    refusal the temporary file is gone."""
    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary:
        raise UploadRefused(400, "multipart/form-data without a boundary.", "BAD_REQUEST")
    reader = _Reader(max_operations_bytes, max_file_bytes)
    callbacks: Any = {
        name: getattr(reader, name)
        for name in (
            "on_part_begin",
            "on_part_data",
            "on_part_end",
            "on_header_field",
            "on_header_value",
            "on_header_end",
            "on_headers_finished",
        )
    }
    parser = MultipartParser(boundary, callbacks)
    try:
        async for chunk in chunks:
            parser.write(chunk)
            if reader.stop:
                break
        else:
            parser.finalize()
    except UploadRefused:
        reader.close()
        if reader.file is not None:
            reader.file.discard()
        raise
    except Exception as error:  # the parser's own complaints about a malformed body
        reader.close()
        if reader.file is not None:
            reader.file.discard()
        raise UploadRefused(400, "The multipart body is malformed.", "BAD_REQUEST") from error
    reader.close()
    if reader.operations is None or reader.file is None:
        if reader.file is not None:
            reader.file.discard()
        raise UploadRefused(400, "operations, map and one file are required.", "BAD_REQUEST")
    if reader.file.too_large:
        reader.file.discard()
    operations = dict(reader.operations)
    operations["variables"] = {**operations["variables"], "file": reader.file}
    return operations, reader.file
