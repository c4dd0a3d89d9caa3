"""Putting a finished file in place, with a message a clerk can act on when Windows refuses.

Every file juwei writes (PDF, CSV, XLSX) is first written beside its target under a hidden
temporary name and then renamed over the target, so that a failure never leaves half a file.
On Windows the rename fails while the target is open in a PDF viewer or in Excel/WPS (the
program holds it locked); the error must name the target the user chose, not the temporary
file.
"""

import os
from pathlib import Path

from juwei.errors import JuweiError
from juwei.i18n import _


class OutputLockedError(JuweiError):
    """The output file cannot be replaced: it is open in another program or read-only.

    ``path`` is the file the user asked for. Exit code 3 (the file given cannot be used).
    """

    exit_code = 3

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        super().__init__(
            _(
                "Cannot write {path}: the file is open in another program (a PDF viewer, "
                "Excel or WPS) or read-only ({reason}). Close it and run the command again."
            ).format(path=path, reason=reason)
        )


def replace_file(source: Path, target: Path) -> None:
    """Rename the finished ``source`` over ``target`` (atomic on the same volume).

    Raises :class:`OutputLockedError` naming ``target`` when the operating system refuses
    (``PermissionError``: on Windows, a file open in a viewer); ``source`` is then left for
    the caller to delete.
    """
    try:
        os.replace(source, target)
    except PermissionError as error:
        raise OutputLockedError(Path(target), error.strerror or type(error).__name__) from None


PRIVATE_MODE = 0o600


def create_private(path: Path) -> None:
    """Create ``path`` empty (truncating it if it exists) readable and writable by its owner
    only where the operating system has such modes (POSIX: 0600), before any personal data
    is written into it (issue 11: the database, backups, the roll export, rejected rows).

    On Windows the file inherits the folder's access list: keep these files in a folder only
    the committee's account can open (see the README, "Keeping the files safe"). Raises
    ``OSError`` as ``os.open`` does.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, PRIVATE_MODE)
    try:
        if os.name == "posix":
            os.fchmod(fd, PRIVATE_MODE)  # an existing file keeps its mode through os.open
    finally:
        os.close(fd)
