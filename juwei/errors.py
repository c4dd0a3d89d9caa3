"""The one root exception of juwei and its small named subclasses.

Every message is already translated (built with ``juwei.i18n._``) when the error is raised;
the CLI prints ``str(error)`` on stderr and exits with ``error.exit_code``.
"""

import re
from datetime import date


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


# A run of 15 to 18 digits (the last may be X) that is not part of a longer run.
_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])[0-9]{14,17}[0-9Xx](?![0-9A-Za-z])")


def _looks_like_id(token: str) -> bool:
    """Whether ``token`` carries a birth date where an identity number has one: YYYYMMDD
    (1880-2099) at characters 7-14 of an 18-character number or of a truncated one (15 to
    17 characters), or YYMMDD at 7-12 of an old 15-digit number."""

    def real(year: int, month: int, day: int) -> bool:
        try:
            date(year, month, day)
        except ValueError:
            return False
        return True

    body = token.upper()
    if len(body) >= 14 and body[6:14].isdigit():
        year, month, day = int(body[6:10]), int(body[10:12]), int(body[12:14])
        if 1880 <= year <= 2099 and real(year, month, day):
            return True
    if len(body) == 15 and body.isdigit():
        return real(1900 + int(body[6:8]), int(body[8:10]), int(body[10:12]))
    return False


def redact(text: str) -> str:
    """Mask, in ``text``, every run of 15 to 18 digits that looks like an identity number
    (a birth date where the number has one), whole or cut short, with the one mask of
    :func:`juwei.rules.identity.mask_id`: only the last four characters stay.

    Applied to every error and warning juwei prints, so that a value echoed from a bad row
    never shows an ID number. Other long numbers (an RLA seed of 20 or more digits, a count,
    a hash) are left as they are.
    """

    def hide(match: re.Match[str]) -> str:
        token = match.group(0)
        if not _looks_like_id(token):
            return token
        return "*" * (len(token) - 4) + token[-4:].upper()

    return _ID_LIKE.sub(hide, text)


class EligibilityError(JuweiError):
    """The law does not allow this person here, whatever the state of the election: not
    eligible on the day (age, registration), not a resident of the group that elects, not a
    serving representative where only representatives vote (issue 10 §5). Exit code 8."""

    exit_code = 8


class VerificationError(JuweiError):
    """``juwei audit verify`` found something that does not check out (issue 5): the stored
    records were changed, or a printed result sheet does not match. Exit code 7."""

    exit_code = 7
