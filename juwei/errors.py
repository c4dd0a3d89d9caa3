"""The one root exception of juwei and its small named subclasses.

Every message is already translated (built with ``juwei.i18n._``) when the error is raised;
the CLI prints ``str(error)`` on stderr and exits with ``error.exit_code``.
"""

import re


class JuweiError(Exception):
    """Root of every error juwei raises on purpose. Exit code 1 unless a subclass says."""

    exit_code = 1


class InputError(JuweiError):
    """Bad input in a file the user gave: names the file, row, column and reason.

    ``row`` is the 1-based line/row number as a spreadsheet or editor shows it (the header is
    row 1); ``column`` is the header text as written in the file.
    """

    exit_code = 3

    def __init__(
        self,
        reason: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.reason = reason
        self.file = file
        self.row = row
        self.column = column
        parts = []
        if file is not None:
            parts.append(file)
        if row is not None:
            parts.append(f"{row}")
        if column is not None:
            parts.append(column)
        where = ":".join(parts)
        super().__init__(f"{where}: {reason}" if where else reason)


class CharterError(JuweiError):
    """A charter file or profile that cannot be loaded: names the file, line and key."""

    exit_code = 3

    def __init__(self, reason: str, *, file: str, line: int | None, key: str | None) -> None:
        self.reason = reason
        self.file = file
        self.line = line
        self.key = key
        where = file if line is None else f"{file}:{line}"
        super().__init__(f"{where}: {key}: {reason}" if key else f"{where}: {reason}")


class DatabaseError(JuweiError):
    """The database cannot be used: not juwei's, newer than this juwei, locked, read-only."""

    exit_code = 4


class NotFoundError(JuweiError):
    """A named thing (community, voter, election, …) does not exist."""

    exit_code = 5


class StateError(JuweiError):
    """An action refused because of the current state ("cannot X, because Y")."""

    exit_code = 6


_LONG_NUMBER = re.compile(r"(?<!\d)(\d{6})(\d{4,})(\d{3}[\dXx])(?!\d)")


def redact(text: str) -> str:
    """Mask every run of 14 or more digits (an ID number, whole or shifted) in ``text``.

    Keeps the first 6 and last 4 characters: ``110105199001010012`` → ``110105********0012``.
    Applied to every error and warning juwei prints, so that a value echoed from a bad row
    never shows a full ID number.
    """
    return _LONG_NUMBER.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)


class VerificationError(JuweiError):
    """``juwei audit verify`` found something that does not check out (issue 5): the stored
    records were changed, or a printed result sheet does not match. Exit code 7."""

    exit_code = 7
