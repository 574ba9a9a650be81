"""Where the store reaches into Tortoise's internals, for speed: the one module to check when
Tortoise is upgraded (``tests/unit/test_adapters.py`` fails loudly when they change).

Building a query through the ORM costs more CPU than running it on a small table, and so does
turning its rows back into models the ORM's way (a generic ISO-8601 parser per timestamp). The
read every signed-in request makes (session, account, agreement status, files) and the rows a
sign-in writes are composed here once from the models' own column lists (``Model._meta``); each
column read gets the cheapest decoder that gives the value the ORM would have given, and each
column written the ORM's own encoder. Statements written by hand use ``:name`` placeholders
(``fetch``, ``execute``).
"""

from __future__ import annotations

import functools
import re
import sqlite3
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from tortoise import connections, fields, timezone
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.backends.sqlite.client import SqliteClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.models import Model
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

ModelT = TypeVar("ModelT", bound=Model)
ReadT = TypeVar("ReadT")
Decode = Callable[[Any], Any]


@dataclass(frozen=True)
class Part:
    """One model in the join, the alias its table goes by, and which columns to read
    (``only``; empty means all)."""

    model: type[Model]
    alias: str
    only: tuple[str, ...] = ()

    def db_columns(self) -> list[str]:
        return list(self.only or self.model._meta.db_fields)


@dataclass(frozen=True)
class _Column:
    index: int
    attribute: str
    decode: Decode | None


@dataclass(frozen=True)
class _Layout:
    sql: str
    columns: dict[str, list[_Column]]  # by part alias
    extras: dict[str, int]  # computed column's name -> index
    template: str  # the statement with ``?`` placeholders, whatever the dialect


class JoinedRows:
    """The rows of one statement, decoded per part on demand."""

    def __init__(self, layout: _Layout, rows: Sequence[Sequence[Any]]) -> None:
        self._layout = layout
        self.rows = rows

    def values(self, part: Part, row: Sequence[Any]) -> dict[str, Any]:
        """The part's columns in this row, by model attribute, as the ORM would decode them."""
        decoded = {}
        for column in self._layout.columns[part.alias]:
            value = row[column.index]
            decoded[column.attribute] = (
                value if column.decode is None or value is None else column.decode(value)
            )
        return decoded

    def computed(self, name: str, row: Sequence[Any]) -> Any:
        return row[self._layout.extras[name]]

    def grouped_by(self, name: str) -> dict[Any, JoinedRows]:
        """The rows split by a computed column's value, each group in the statement's order:
        the answers of several callers read in one statement."""
        index = self._layout.extras[name]
        groups: dict[Any, list[Sequence[Any]]] = {}
        for row in self.rows:
            groups.setdefault(row[index], []).append(row)
        return {key: JoinedRows(self._layout, rows) for key, rows in groups.items()}


class JoinedSelect:
    """``SELECT <columns of each part>, <extras> <rest>`` with ``?`` placeholders."""

    def __init__(
        self, parts: Sequence[Part], rest: str, extras: Sequence[tuple[str, str]] = ()
    ) -> None:
        self.parts = parts
        self.rest = rest
        self.extras = extras  # (name, SQL expression)
        self._by_dialect: dict[str, _Layout] = {}
        self._after: dict[tuple[str, int], _Layout] = {}

    def layout(self, dialect: str) -> _Layout:
        """Planned at first use: a model knows its foreign-key columns, and which of them the
        driver already decodes, only once the ORM is initialised."""
        if dialect not in self._by_dialect:
            self._by_dialect[dialect] = self._plan(dialect)
        return self._by_dialect[dialect]

    def _plan(self, dialect: str) -> _Layout:
        selected: list[str] = []
        columns: dict[str, list[_Column]] = {}
        for part in self.parts:
            decoders = _decoders(part.model)
            columns[part.alias] = []
            for db_column in part.db_columns():
                attribute, decode = decoders[db_column]
                columns[part.alias].append(_Column(len(selected), attribute, decode))
                selected.append(f'"{part.alias}"."{db_column}"')
        extras = {}
        for name, expression in self.extras:
            extras[name] = len(selected)
            selected.append(f'{expression} AS "{name}"')
        template = f"SELECT {', '.join(selected)} {self.rest}"
        return _Layout(_placeholders(template, dialect), columns, extras, template)

    def after(self, change: str, parameters: int) -> _Layout:
        """This select in one PostgreSQL statement with ``change`` (a data-modifying statement
        whose values are ``$1`` to ``$parameters``): the select's rows, each with one more
        column, the number of rows the change returned; one row of NULLs and that number when
        the select finds none."""
        key = (change, parameters)
        if key not in self._after:
            layout = self.layout("postgres")
            select = _placeholders(layout.template, "postgres", first=parameters + 1)
            # The change is one of the store's constant statements, the select composed from
            # the models' metadata; values are only ever parameters.
            sql = (
                f'WITH "c0" AS ({change.strip()}) SELECT "j".*, "n"."changed" '  # noqa: S608
                'FROM (SELECT count(*) AS "changed" FROM "c0") AS "n" '
                f'LEFT JOIN LATERAL ({select}) AS "j" ON TRUE'
            )
            self._after[key] = _Layout(sql, layout.columns, layout.extras, layout.template)
        return self._after[key]

    async def fetch(self, *values: Any) -> JoinedRows:
        connection = connections.get("default")
        layout = self.layout(connection.capabilities.dialect)
        rows = _read_on_this_thread(connection, layout.sql, values)
        if rows is None:
            _, rows = await connection.execute_query(layout.sql, list(values))
        return JoinedRows(layout, rows)


_READERS: weakref.WeakKeyDictionary[SqliteClient, sqlite3.Connection] = weakref.WeakKeyDictionary()


def _read_on_this_thread(
    client: Any, sql: str, values: Sequence[Any]
) -> Sequence[Sequence[Any]] | None:
    """A SQLite read on the event loop's own thread, through a read-only connection of its own;
    None when it cannot be (PostgreSQL, inside a transaction, the file busy), and then the
    caller goes through aiosqlite's thread as usual.

    Handing a statement to aiosqlite's thread and its answer back cost about 70 us of CPU
    (two thread wake-ups) against some 20 us for the indexed read itself, on a signed-in
    request of some 300 us (bench/README.md). Under WAL a reader waits for no writer, and a
    reader that would wait (a recovery in progress) gives up at once (``timeout=0``) rather
    than hold the loop. Outside a transaction every statement sees what is committed, which
    is what the ORM's connection would have read; inside one (a wrapper, not the client
    itself) the transaction's own connection must read its writes, so it is used.

    While the ORM's connection runs a statement (its lock held), reads take the usual way and
    wait behind it: reads that never wait would keep the GIL on this thread, and aiosqlite's
    thread, which needs it to finish each statement, would get it only every 5 ms (Python's
    switch interval): beside a read load filling the core, sign-ins fell from 37 to none a
    second.
    """
    if type(client) is not SqliteClient:
        return None
    if client._connection is None:  # closed: so is its reader
        if (closing := _READERS.pop(client, None)) is not None:
            closing.close()
        return None
    if client._lock.locked():
        return None
    reader = _READERS.get(client)
    try:
        if reader is None:
            reader = sqlite3.connect(client.filename, timeout=0, isolation_level=None)
            reader.execute("PRAGMA query_only = ON")
            _READERS[client] = reader
        rows = reader.execute(sql, values).fetchall()
    except sqlite3.Error:
        return None
    client.log.debug("%s: %s", sql, values)
    return rows


class Insert(Generic[ModelT]):
    """``INSERT`` of one model's row, the SQL composed once per dialect; gives the saved
    instance, as ``Model.create`` would without its per-call field checks and query building."""

    def __init__(self, model: type[ModelT]) -> None:
        self.model = model
        self._plan: tuple[str, list[tuple[str, fields.Field[Any]]]] | None = None

    def plan(self) -> tuple[str, list[tuple[str, fields.Field[Any]]]]:
        """``INSERT ... VALUES (?, ...)`` and each column's encoder, made at first use: the
        ORM adds the foreign keys' columns to a model only once it is initialised."""
        if self._plan is None:
            meta = self.model._meta
            columns = [
                (name, column)
                for name, column in meta.fields_db_projection.items()
                if name != meta.pk_attr
            ]
            names = ", ".join(f'"{column}"' for _, column in columns)
            marks = ", ".join("?" for _ in columns)
            template = f'INSERT INTO "{meta.db_table}" ({names}) VALUES ({marks})'  # noqa: S608
            self._plan = (template, [(name, meta.fields_map[name]) for name, _ in columns])
        return self._plan

    @functools.cache  # noqa: B019 - a handful of module-level instances, each kept anyway
    def sql(self, dialect: str) -> str:
        template, _ = self.plan()
        if dialect == "postgres":
            template += f' RETURNING "{self.model._meta.db_pk_column}"'
        return _placeholders(template, dialect)

    def parameters(self, values: dict[str, Any]) -> list[Any]:
        """Every column but the generated key must be given, so no default is guessed here."""
        return [
            value if (value := values[name]) is FIRST_KEY else field.to_db_value(value, self.model)
            for name, field in self.plan()[1]
        ]

    async def __call__(self, **values: Any) -> int:
        """The new row's key."""
        connection = connections.get("default")
        inserted = await connection.execute_insert(
            self.sql(connection.capabilities.dialect), self.parameters(values)
        )
        return int(inserted if isinstance(inserted, int) else inserted[0])


class _FirstKey:
    """Stands, among the values of a chain's later rows, for the key of its first row."""

    def __repr__(self) -> str:
        return "FIRST_KEY"


FIRST_KEY: Any = _FirstKey()


@dataclass(frozen=True)
class Statement:
    """A hand-written statement (``:name`` placeholders) and its values, to run with a chain
    of inserts (``insert_chain``'s ``also``) rather than on its own."""

    template: str
    values: dict[str, Any]

    def positional(self) -> tuple[str, list[Any]]:
        """With ``?`` placeholders, each value where its name is."""
        return bind_named(self.template, "sqlite", self.values)


async def insert_chain(
    first: Insert[Any],
    first_values: dict[str, Any],
    *others: tuple[Insert[Any], dict[str, Any]],
    also: Sequence[Statement] = (),
) -> list[int]:
    """Rows written together, all or none, in one round trip: the first row, then the others,
    whose values may name ``FIRST_KEY`` for its key (an account's link and audit entry),
    and ``also`` statements that change other rows with them (an attempt's outcome, told
    with the session it opened). The keys of the rows, in order.

    PostgreSQL takes them as one statement (data-modifying WITHs); SQLite runs them in one
    transaction in one visit to aiosqlite's thread, where the ORM's transaction would take
    five (commit, BEGIN, each insert, COMMIT) at some 70 us of CPU each.
    """
    connection = connections.get("default")
    inserts = (first, *(insert for insert, _ in others))
    rows = [first.parameters(first_values), *(insert.parameters(v) for insert, v in others)]
    changes = [statement.positional() for statement in also]
    if connection.capabilities.dialect == "postgres":
        linked = tuple(tuple(i for i, v in enumerate(row) if v is FIRST_KEY) for row in rows)
        sql = _chain_sql(inserts, linked, tuple(change for change, _ in changes))
        flat = [value for _, values in changes for value in values]
        flat += [value for row in rows for value in row if value is not FIRST_KEY]
        keys = await connection.execute_insert(sql, flat)
        return [int(key) for key in keys]
    if not isinstance(connection, SqliteClient):
        raise TypeError(f"no chained insert for {type(connection).__name__}")
    statements = [(insert.sql("sqlite"), row) for insert, row in zip(inserts, rows, strict=True)]
    async with connection.acquire_connection() as driver:
        for sql, row in [*changes, *statements]:
            connection.log.debug("%s: %s", sql, row)
        try:
            written: list[int] = await driver._execute(
                _insert_all, driver._conn, changes, statements
            )
        except sqlite3.IntegrityError as error:
            raise IntegrityError(error) from error
    return written


def _insert_all(
    driver: sqlite3.Connection,
    changes: list[tuple[str, list[Any]]],
    statements: list[tuple[str, list[Any]]],
) -> list[int]:
    """On aiosqlite's thread: the changes and the inserts in a transaction of their own,
    unless the caller is inside one already (then they are part of it)."""
    own = not driver.in_transaction
    if own:
        driver.execute("BEGIN")
    keys: list[int] = []
    try:
        for sql, values in changes:
            driver.execute(sql, values)
        for sql, row in statements:
            values = [keys[0] if value is FIRST_KEY else value for value in row]
            keys.append(int(driver.execute(sql, values).lastrowid or 0))
    except BaseException:
        if own:
            driver.rollback()
        raise
    if own:
        driver.commit()
    return keys


@functools.cache
def _chain_sql(
    inserts: tuple[Insert[Any], ...],
    linked: tuple[tuple[int, ...], ...],
    changes: tuple[str, ...],
) -> str:
    """``WITH "c0" AS (change), ..., "r0" AS (INSERT ... RETURNING key), ... INSERT ...
    RETURNING`` every key; the columns in ``linked`` (per insert) take the first row's key
    from ``"r0"``. Table and column names come from the models' metadata, the changes from
    the store's constant statements; values are only ever parameters."""
    first_key = f'(SELECT "{inserts[0].model._meta.db_pk_column}" FROM "r0")'  # noqa: S608
    statements = []
    for insert, columns in zip(inserts, linked, strict=True):
        template, encoders = insert.plan()
        head = template[: template.index(" VALUES (")]
        marks = ", ".join(first_key if i in columns else "?" for i in range(len(encoders)))
        statements.append(f"{head} VALUES ({marks})")
    keys = [f'"{insert.model._meta.db_pk_column}"' for insert in inserts]
    ctes = [f'"c{i}" AS ({change.strip()})' for i, change in enumerate(changes)]
    ctes += [
        f'"r{i}" AS ({statement} RETURNING {key})'
        for i, (statement, key) in enumerate(zip(statements[:-1], keys, strict=False))
    ]
    earlier = "".join(f'(SELECT {k} FROM "r{i}"), ' for i, k in enumerate(keys[:-1]))  # noqa: S608
    with_ctes = f"WITH {', '.join(ctes)} " if ctes else ""
    return _placeholders(f"{with_ctes}{statements[-1]} RETURNING {earlier}{keys[-1]}", "postgres")


def _decoders(model: type[Model]) -> dict[str, tuple[str, Decode | None]]:
    """db column -> (model attribute, decoder), from the ORM's own split of the fields by how
    the current driver returns them: as they are, by a type call, or by ``to_python_value``."""
    meta = model._meta
    plan: dict[str, tuple[str, Decode | None]] = {}
    for key, attribute, _field in meta.db_native_fields:
        plan[key] = (attribute, None)
    for key, attribute, default_field in meta.db_default_fields:
        plan[key] = (attribute, default_field.field_type)
    for key, attribute, complex_field in meta.db_complex_fields:
        plan[key] = (attribute, _fast_decoder(complex_field))
    return plan


def _fast_decoder(model_field: fields.Field[Any]) -> Decode:
    """The C parsers for what the ORM decodes in Python; never called with ``None``."""
    slow = model_field.to_python_value
    if isinstance(model_field, fields.DatetimeField) and timezone.get_use_tz():
        zone = timezone.get_default_timezone()

        def decode_datetime(value: Any) -> Any:
            if isinstance(value, str):
                value = datetime.fromisoformat(value)
            elif not isinstance(value, datetime):
                return slow(value)
            return value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone)

        return decode_datetime
    if isinstance(model_field, fields.DateField):

        def decode_date(value: Any) -> Any:
            if isinstance(value, str):
                return date.fromisoformat(value)
            return value if type(value) is date else slow(value)

        return decode_date
    if isinstance(model_field, fields.JSONField):
        loads = model_field.decoder

        def decode_json(value: Any) -> Any:
            return loads(value) if isinstance(value, str | bytes) else value

        return decode_json
    return slow


def _placeholders(template: str, dialect: str, first: int = 1) -> str:
    """``?`` as SQLite writes it; ``$1, $2, ...`` (from ``$first``) for PostgreSQL."""
    if dialect != "postgres":
        return template
    pieces = template.split("?")
    return "".join(f"{piece}${n}" for n, piece in enumerate(pieces[:-1], first)) + pieces[-1]


def positional(template: str, dialect: str) -> str:
    """A statement written with ``?`` placeholders, for the driver of ``dialect``."""
    return _placeholders(template, dialect)


_NAMED = re.compile(r":([a-z_]+)\b")


def bind_named(template: str, dialect: str, values: dict[str, Any]) -> tuple[str, list[Any]]:
    """A statement written with ``:name`` placeholders, for the driver: ``$n`` on PostgreSQL
    (each name numbered once), ``?`` on SQLite (the value repeated where the name is)."""
    if dialect == "postgres":
        numbers: dict[str, int] = {}

        def number(match: re.Match[str]) -> str:
            return f"${numbers.setdefault(match.group(1), len(numbers) + 1)}"

        sql = _NAMED.sub(number, template)
        return sql, [values[name] for name in numbers]
    order: list[str] = []

    def mark(match: re.Match[str]) -> str:
        order.append(match.group(1))
        return "?"

    sql = _NAMED.sub(mark, template)
    return sql, [values[name] for name in order]


def dialect() -> str:
    return str(connections.get("default").capabilities.dialect)


def in_a_transaction() -> bool:
    """Whether the caller runs inside ``transaction()`` (its statements must go through it)."""
    return isinstance(connections.get("default"), TransactionalDBClient)


async def fetch(template: str, values: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The rows of a hand-written statement (RETURNING included, which ``execute_query`` drops
    on PostgreSQL for INSERT, UPDATE and DELETE)."""
    connection = connections.get("default")
    sql, parameters = bind_named(template, connection.capabilities.dialect, values)
    rows = await connection.execute_query_dict(sql, parameters)
    return [tuple(row.values()) for row in rows]


@dataclass(frozen=True)
class Read(Generic[ReadT]):
    """A joined select, its values and what its rows mean, to run with a change
    (``change_then_read``) rather than on its own. Every row it finds must have a value that
    is not NULL (a key)."""

    select: JoinedSelect
    values: tuple[Any, ...]
    decode: Callable[[JoinedRows], ReadT]

    async def __call__(self) -> ReadT:
        return self.decode(await self.select.fetch(*self.values))


async def change_then_read(change: Statement, read: Read[ReadT]) -> tuple[int, ReadT]:
    """How many rows a hand-written change returned, and what a read found, in one round trip
    on PostgreSQL (one statement: the read sees the rows as they were before the change, so
    it must not read what the change writes). SQLite runs the read on the event loop's thread,
    then the change in aiosqlite's: there too a read that fails changes nothing."""
    connection = connections.get("default")
    if connection.capabilities.dialect != "postgres":
        found = await read()
        return len(await fetch(change.template, change.values)), found
    sql, parameters = bind_named(change.template, "postgres", change.values)
    layout = read.select.after(sql, len(parameters))
    _, rows = await connection.execute_query(layout.sql, [*parameters, *read.values])
    answered = [row for row in rows if any(row[i] is not None for i in range(len(row) - 1))]
    return int(rows[0][-1]), read.decode(JoinedRows(layout, answered))


async def execute(template: str, values: dict[str, Any]) -> int:
    """A hand-written statement; the number of rows it changed."""
    connection = connections.get("default")
    sql, parameters = bind_named(template, connection.capabilities.dialect, values)
    count, _ = await connection.execute_query(sql, parameters)
    return int(count)


# Rows deleted per statement: each statement holds SQLite's write lock, and a serving gateway's
# writes wait behind it, for some tens of milliseconds at most.
DELETE_BATCH = 5000


async def delete_in_batches(model: type[Model], matching: QuerySet[Any]) -> int:
    """Delete the rows ``matching`` selects, ``DELETE_BATCH`` at a time, each batch its own
    statement (and transaction); how many were deleted. The selection should use an index."""
    deleted = 0
    while True:
        batch = Subquery(matching.limit(DELETE_BATCH).values("id"))
        count = await model.filter(id__in=batch).delete()
        deleted += count
        if count < DELETE_BATCH:
            return deleted


def transaction() -> Any:
    """One transaction around the store calls inside it (an async context manager)."""
    return in_transaction()
