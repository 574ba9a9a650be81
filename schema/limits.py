"""What a document may cost, counted in one cheap pass before graphql-core validates it.

graphql-core's validation compares sibling selections pairwise (OverlappingFieldsCanBeMerged),
so 490 repeats of one small selection cost seconds of CPU: a document is measured first, in time
linear in its text, and refused by the first limit it breaks, with a code of its own. Fragments
are expanded as the server would execute them; each fragment is measured once, so a fragment
that spreads another twice, which spreads another twice, costs nothing to measure.

Introspection fields (``__schema``, ``__type``) are measured for selections and directives but
not for depth and cost: graphql-core's own introspection depth rule bounds them, and with
introspection off they are refused anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from gateway.settings import Settings

# A list field's ``first`` given as a variable is counted at this many items: the largest page
# any field allows.
LARGEST_PAGE = 100


@dataclass(frozen=True)
class Measure:
    selections: int = 0
    aliases: int = 0
    directives: int = 0
    depth: int = 0
    cost: int = 0

    def __add__(self, other: Measure) -> Measure:
        return Measure(
            self.selections + other.selections,
            self.aliases + other.aliases,
            self.directives + other.directives,
            max(self.depth, other.depth),
            self.cost + other.cost,
        )


@dataclass(frozen=True)
class Limits:
    characters: int
    selections: int
    aliases: int
    directives: int
    depth: int
    cost: int

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            characters=settings.max_query_characters,
            selections=settings.max_selections,
            aliases=settings.max_aliases,
            directives=settings.max_directives,
            depth=settings.max_query_depth,
            cost=settings.max_query_cost,
        )


def refusal(message: str, code: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def check_length(query: str, limits: Limits) -> GraphQLError | None:
    if len(query) > limits.characters:
        return refusal(
            f"The document is longer than {limits.characters} characters.", "DOCUMENT_TOO_LONG"
        )
    return None


def measure(document: DocumentNode) -> Measure:
    """The heaviest operation of the document (a request runs one)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    measurer = _Measurer(fragments)
    total = Measure()
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            one = measurer.selection_set(definition.selection_set)
            total = Measure(
                max(total.selections, one.selections),
                max(total.aliases, one.aliases),
                max(total.directives, one.directives + len(definition.directives or ())),
                max(total.depth, one.depth),
                max(total.cost, one.cost),
            )
    return total


def check_measure(found: Measure, limits: Limits) -> GraphQLError | None:
    """The first limit broken, as a GraphQL error with its code; None when all hold."""
    checks = (
        (found.aliases, limits.aliases, "aliases", "TOO_MANY_ALIASES"),
        (found.directives, limits.directives, "directives", "TOO_MANY_DIRECTIVES"),
        (found.depth, limits.depth, "levels of nesting", "QUERY_TOO_DEEP"),
        (found.selections, limits.selections, "field selections", "TOO_MANY_SELECTIONS"),
        (found.cost, limits.cost, "points of estimated cost", "QUERY_TOO_COSTLY"),
    )
    for value, limit, what, code in checks:
        if value > limit:
            return refusal(f"The operation has {value} {what}; at most {limit} are allowed.", code)
    return None


class _Measurer:
    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.known: dict[str, Measure] = {}
        self.visiting: set[str] = set()

    def selection_set(self, selection_set: SelectionSetNode | None) -> Measure:
        total = Measure()
        for selection in selection_set.selections if selection_set else ():
            directives = Measure(directives=len(selection.directives or ()))
            if isinstance(selection, FieldNode):
                total = total + directives + self.field(selection)
            elif isinstance(selection, InlineFragmentNode):
                total = total + directives + self.selection_set(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total = total + directives + self.fragment(selection.name.value)
        return total

    def field(self, field: FieldNode) -> Measure:
        inner = self.selection_set(field.selection_set)
        introspection = field.name.value.startswith("__")
        own = Measure(
            selections=1 + inner.selections,
            aliases=(1 if field.alias else 0) + inner.aliases,
            directives=inner.directives,
            depth=0 if introspection else 1 + inner.depth,
            cost=0 if introspection else 1 + _items(field) * inner.cost,
        )
        return own

    def fragment(self, name: str) -> Measure:
        """Measured once; a cycle (refused by validation later) adds nothing here."""
        if name in self.known:
            return self.known[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.visiting:
            return Measure()
        self.visiting.add(name)
        found = self.selection_set(definition.selection_set) + Measure(
            directives=len(definition.directives or ())
        )
        self.visiting.discard(name)
        self.known[name] = found
        return found


def _items(field: FieldNode) -> int:
    """How many items a paged list field may give: its ``first``, or the largest page."""
    for argument in field.arguments or ():
        if argument.name.value == "first":
            if isinstance(argument.value, IntValueNode):
                return max(1, min(int(argument.value.value), LARGEST_PAGE))
            return LARGEST_PAGE
    return 1
