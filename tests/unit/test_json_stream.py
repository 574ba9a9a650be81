"""The registry file read a piece at a time (gateway/json_stream.py): the values and the errors
of ``json.loads``, wherever the pieces are cut."""

from __future__ import annotations

import io
import json

import pytest

from gateway import json_stream
from gateway.json_stream import JsonStream, StreamError

DOCUMENT = (
    '{"contracts": [\n  {"a": -12.5e3, "b": [true, false, null], "c": "\\u00e9t\\u00e9 \\"x\\""},'
    '\n  {"d": "Côté 😀", "e": 1234567890, "f": {"g": []}}, 7, "last"\n], "other": -0}'
)


def _read(text: str | bytes) -> tuple[list[tuple[str, object]], list[object]]:
    data = text.encode() if isinstance(text, str) else text
    stream = JsonStream(io.BytesIO(data), "registry.json", dict)
    keys: list[tuple[str, object]] = []
    items: list[object] = []
    for key in stream.members():
        if key == "contracts":
            items.extend(stream.items())
        else:
            keys.append((key, stream.value()))
    stream.end()
    return keys, items


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 8, 1 << 20])
def test_values_are_those_of_json_loads_whatever_the_pieces(chunk, monkeypatch):
    monkeypatch.setattr(json_stream, "_CHUNK_BYTES", chunk)
    keys, items = _read(DOCUMENT)
    expected = json.loads(DOCUMENT)
    assert items == expected["contracts"]
    assert keys == [("other", 0)]


@pytest.mark.parametrize("chunk", [1, 4, 1 << 20])
@pytest.mark.parametrize(
    "text",
    [
        '{"contracts": [1 2]}',
        '{"contracts": [1,]}',
        '{"contracts": [{"a": tru}]}',
        '{"contracts": [{"a": "unterminated}]}',
        '{\n "contracts": [\n  {"a": 1,\n   "b" 2}]}',
        '{"contracts": []} x',
        '{"contracts": [] "x": 1}',
        '{"contracts": [{"a": "\\ud800\\uZZZZ"}]}',
    ],
)
def test_errors_are_placed_as_json_loads_places_them(text, chunk, monkeypatch):
    monkeypatch.setattr(json_stream, "_CHUNK_BYTES", chunk)
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    error = expected.value
    with pytest.raises(StreamError) as raised:
        _read(text)
    assert raised.value.problem == (
        f"$: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
    )


@pytest.mark.parametrize("chunk", [1, 2, 3, 1 << 20])
def test_a_byte_order_mark_is_skipped_and_bad_bytes_placed_by_offset(chunk, monkeypatch):
    monkeypatch.setattr(json_stream, "_CHUNK_BYTES", chunk)
    assert _read(b'\xef\xbb\xbf{"contracts": ["caf\xc3\xa9"]}') == ([], ["café"])
    with pytest.raises(StreamError) as raised:
        _read(b'\xef\xbb\xbf{"contracts": ["caf\xe9"]}')
    assert raised.value.problem == "$: not UTF-8 text (byte 0xE9 at offset 22)"
