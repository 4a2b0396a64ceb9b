"""The CLI's own user error, in a module of its own so the top parser can catch it without importing the
commands' dependencies (`retention.cli.COMMANDS`)."""


class CommandError(Exception):
    """A user error to print as `error: …` with exit status 2."""
