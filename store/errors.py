"""What the store raises instead of a driver's exception, for the rules to decide on."""


class Conflict(Exception):
    """A unique key refused the write: another row already holds the value."""
