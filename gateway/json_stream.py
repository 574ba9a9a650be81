"""A JSON document read a piece at a time, so that a registry of a million members never has to
be in memory whole (issue 20: 350 MB of text became 2 GB of Python objects).

Each value is still parsed by the standard library's C scanner (``JSONDecoder.raw_decode``), so
values and error messages are those of ``json.loads``; only the outer object and one list are
walked here, and a value is parsed once the text holding it has been read. Streaming parsers
such as ijson report errors in their own words, without the line and column the operator needs,
and build objects without letting the caller see a key given twice.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator
from typing import BinaryIO

_SPACE = re.compile(r"[ \t\n\r]*")
_CHUNK_BYTES = 1 << 20
# How close to the end of the text read so far an error may be and still mean only that the
# value goes on further in the file: the longest literal the scanner may find cut is
# "-Infinity", a \uXXXX escape six characters.
_CUT_MARGIN = 10
_BOM = "\ufeff"


class StreamError(Exception):
    """The text is not JSON (or not UTF-8, or cannot be read); ``problem`` names where."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


class JsonStream:
    """The text of a binary file, parsed value by value.

    Text already parsed is dropped as the stream moves on; the line and column of its start
    are kept so that an error anywhere is placed as ``json.loads`` would place it.
    """

    def __init__(
        self,
        file: BinaryIO,
        name: str,
        object_pairs_hook: Callable[[list[tuple[str, object]]], object],
    ) -> None:
        self._file = file
        self._name = name
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._parser = json.JSONDecoder(object_pairs_hook=object_pairs_hook)
        self._text = ""
        self._at = 0
        self._line = 1  # of self._text[0]
        self._column = 0  # of self._text[0], counted from 0
        self._offset = 0  # bytes read so far
        self._ended = False
        self._began = False  # any text decoded yet

    def _more(self) -> bool:
        """Read on; False at the end of the file. Each read is at least as long as the text
        still unparsed, so a value spanning many reads is parsed a bounded number of times."""
        if self._ended:
            return False
        dropped = self._text[: self._at]
        newlines = dropped.count("\n")
        if newlines:
            self._line += newlines
            self._column = len(dropped) - dropped.rindex("\n") - 1
        else:
            self._column += len(dropped)
        self._text = self._text[self._at :]
        self._at = 0
        try:
            chunk = self._file.read(max(_CHUNK_BYTES, len(self._text)))
        except OSError as error:
            raise StreamError(f"$: cannot read {self._name} ({error.strerror})") from error
        self._ended = not chunk
        start = self._offset
        self._offset += len(chunk)
        pending = len(self._decoder.getstate()[0])
        try:
            text = self._decoder.decode(chunk, final=self._ended)
        except UnicodeDecodeError as error:
            where = start - pending + error.start
            raise StreamError(
                f"$: not UTF-8 text (byte 0x{error.object[error.start]:02X} at offset {where})"
            ) from error
        if not self._began and text:
            self._began = True
            # Spreadsheet tools on Windows write a byte order mark.
            text = text.removeprefix(_BOM)
        self._text += text
        return not self._ended

    def _invalid(self, message: str, position: int) -> StreamError:
        text = self._text
        newlines = text.count("\n", 0, position)
        if newlines:
            line = self._line + newlines
            column = position - text.rindex("\n", 0, position)
        else:
            line = self._line
            column = self._column + position + 1
        return StreamError(f"$: not valid JSON (line {line}, column {column}: {message})")

    def peek(self) -> str:
        """The next character that is not white space; empty at the end of the file."""
        while True:
            match = _SPACE.match(self._text, self._at)
            assert match is not None  # the pattern matches the empty string
            self._at = match.end()
            if self._at < len(self._text) or not self._more():
                return self._text[self._at : self._at + 1]

    def take(self, character: str, message: str) -> None:
        if self.peek() != character:
            raise self._invalid(message, self._at)
        self._at += 1

    def value(self) -> object:
        """The next whole value, however many reads it spans."""
        self.peek()
        while True:
            try:
                value, end = self._parser.raw_decode(self._text, self._at)
            except json.JSONDecodeError as error:
                cut = error.msg.startswith("Unterminated string") or (
                    error.pos >= len(self._text) - _CUT_MARGIN
                )
                start = self._at
                if cut and self._more():
                    continue
                # ``_more`` drops the text before the value even when the file has ended.
                raise self._invalid(error.msg, error.pos - (start - self._at)) from None
            except RecursionError:
                raise StreamError("$: not valid JSON (nested too deeply)") from None
            if end == len(self._text) and self._more():
                continue  # a number may go on in the next read
            self._at = end
            return value

    def key(self) -> str:
        if self.peek() != '"':
            raise self._invalid("Expecting property name enclosed in double quotes", self._at)
        key = self.value()
        assert isinstance(key, str)
        self.take(":", "Expecting ':' delimiter")
        return key

    def items(self) -> Iterator[object]:
        """The values of the list that starts here, one at a time."""
        self.take("[", "Expecting value")
        if self.peek() == "]":
            self._at += 1
            return
        while True:
            yield self.value()
            if self.peek() != ",":
                self.take("]", "Expecting ',' delimiter")
                return
            self._at += 1

    def members(self) -> Iterator[str]:
        """The keys of the object that starts here; the caller reads each value (``value`` or
        ``items``) before asking for the next key."""
        self.take("{", "Expecting value")
        if self.peek() == "}":
            self._at += 1
            return
        while True:
            yield self.key()
            if self.peek() != ",":
                self.take("}", "Expecting ',' delimiter")
                return
            self._at += 1

    def end(self) -> None:
        """Nothing but white space may follow the document."""
        if self.peek():
            raise self._invalid("Extra data", self._at)
