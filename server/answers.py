"""Answers to a member's own-data queries, remembered against the rows they were made from.

Every signed-in request reads its session, account, agreement status and files in one statement
(``store.sessions.signed_in``), whose record carries the version of the rows it was read from.
A query that asks for nothing else (the viewer's profile, session and files) is a pure function
of those rows, the document and its variables: the same rows give the same answer. So the rows
are still read on every request, and the answer is executed again only when something in them
changed; a sign-out, an expiry, a file linked or the agreement accepted changes the rows, or
ends the session, and so the answer. Each process keeps its own bounded table; nothing is
shared, so nothing can be stale across processes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    visit,
)
from strawberry.types import ExecutionResult

from gateway.bounded import BoundedCache
from store.records import SignedIn

# Fields whose value comes from the session statement's rows alone; anything else (the session
# list, the agreement text, a partner's search) is executed every time.
_FROM_SESSION_ROWS: dict[str, frozenset[str]] = {
    "Query": frozenset({"viewer"}),
    "Viewer": frozenset({"userCode", "profile", "session", "insuranceFiles"}),
    "Profile": frozenset({"firstName", "lastName", "email", "preferredLanguage"}),
    "Session": frozenset({"status", "channel", "expiresAt", "selectedFile"}),
    "InsuranceFile": frozenset(
        {
            "id",
            "productLine",
            "contractNumber",
            "certificateNumber",
            "sponsorName",
            "planName",
            "status",
            "info",
        }
    ),
    "InsuranceFileInfo": frozenset(
        {"memberName", "effectiveDate", "terminationDate", "coverages", "onlineFeatures"}
    ),
    "Coverage": frozenset({"benefit", "tier"}),
}


class _FieldCollector(Visitor):
    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.pure = True

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        parent = self.type_info.get_parent_type()
        name = node.name.value
        if name == "__typename":
            return
        if parent is None or name not in _FROM_SESSION_ROWS.get(parent.name, frozenset()):
            self.pure = False


def reads_only_session_rows(schema: GraphQLSchema, document: DocumentNode) -> bool:
    """Every operation a query, every field (in fragments too) one of ``_FROM_SESSION_ROWS``."""
    for definition in document.definitions:
        if (
            isinstance(definition, OperationDefinitionNode)
            and definition.operation != OperationType.QUERY
        ):
            return False
    collector = _FieldCollector(TypeInfo(schema))
    visit(document, TypeInfoVisitor(collector.type_info, collector))
    return collector.pure


@dataclass(frozen=True)
class Answer:
    result: ExecutionResult
    labels: dict[str, Any]  # what the request's log line and metrics say of the operation


class Answers:
    """A table of answers bounded in entries and bytes; ``size`` 0 turns it off. An answer
    bigger than ``max_answer_bytes`` is never kept (a file with a huge registry text must
    not be copied into memory once per distinct query)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        parse: Callable[[str], DocumentNode],
        size: int,
        max_bytes: int,
        max_answer_bytes: int,
    ) -> None:
        self.size = size
        self.max_answer_bytes = max_answer_bytes
        self._answers: BoundedCache[Answer] = BoundedCache(size, max_bytes)

        @lru_cache(maxsize=256)  # keyed by documents of at most GATEWAY_MAX_QUERY_CHARACTERS
        def memoisable(query: str) -> bool:
            try:
                return reads_only_session_rows(schema, parse(query))
            except Exception:
                return False

        self._memoisable = memoisable

    def may_remember(self, query: str) -> bool:
        """Whether answers to this document can be remembered at all (cached by its text)."""
        return bool(self.size) and self._memoisable(query)

    def key(
        self,
        query: str | None,
        operation_name: str | None,
        variables: dict[str, Any] | None,
        language: str,
        signed_in: SignedIn,
    ) -> Hashable | None:
        """None when the answer may depend on more than the session's rows."""
        rows = signed_in.version
        if not self.size or not query or rows is None or not self._memoisable(query):
            return None
        try:
            encoded_variables = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            return None
        return (query, operation_name, encoded_variables, language, rows)

    def get(self, key: Hashable) -> Answer | None:
        return self._answers.get(key)

    def put(self, key: Hashable, answer: Answer) -> None:
        """Kept when the answer (its data, and the rows and document of its key) is small."""
        data = orjson.dumps(answer.result.data)
        if len(data) > self.max_answer_bytes:
            return
        # The key holds the session statement's rows and the document: about as heavy again.
        self._answers.put(key, answer, 2 * len(data) + _key_bytes(key))

    @property
    def bytes(self) -> int:
        return self._answers.bytes


def _key_bytes(key: Hashable) -> int:
    assert isinstance(key, tuple)
    query, _, variables, _, rows = key
    return len(query) + len(variables) + len(orjson.dumps(rows, default=str))
