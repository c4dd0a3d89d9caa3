"""juwei (居委): election and recall administration for community residents' committees.

Layers, imports pointing down only: ``cli`` → ``ballots`` → ``elections`` → ``rules``.
``errors`` and ``i18n`` are leaves that every layer may use.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("juwei")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"
