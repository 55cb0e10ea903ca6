"""The gate to Whoosh: checks the installed version, then hands out its modules.

The engine's other modules import Whoosh only from here, so a Whoosh that tracuu was not
tested with is refused with one clear line before anything uses it.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

from ..errors import EngineVersionError

TESTED_WHOOSH = ">=3.54,<3.55"  # the range tracuu's tests ran against (pyproject pins it)
TESTED_MINOR = (3, 54)


def check_version(version: str | None = None) -> None:
    """Raise EngineVersionError unless the installed Whoosh (or ``version``) is whoosh3 of
    the tested minor. (Whoosh's own version number tells the forks apart: whoosh-reloaded
    is 2.7; importlib.metadata would cost a tenth of a second at every start.)"""
    wanted = f"pip install 'whoosh3{TESTED_WHOOSH}'"
    if version is None:
        try:
            import whoosh
        except ImportError:
            raise EngineVersionError(
                "tracuu needs the Whoosh fork 'whoosh3', which is not installed", hint=wanted
            ) from None
        version = ".".join(str(n) for n in whoosh.__version__[:3])
    if tuple(int(x) for x in version.split(".")[:2]) != TESTED_MINOR:
        raise EngineVersionError(
            f"tracuu was tested with whoosh3 3.54, found {version}", hint=wanted
        )


check_version()


# Whoosh's English morphology and stemmer, which tracuu never calls, compile their rules
# when whoosh.query and whoosh.analysis import them (15-20 ms of every start). Until one
# of their functions is called or any other name of them is read, a stand-in holds their
# place in sys.modules; tests/test_engine.py fails if Whoosh imports other names of them.
# Whole modules a search does not use wait the same way, until a name of them is read:
# its highlighter (and the html module it loads), its collectors and facets (tracuu ranks
# with numpy: only a fallback collects through Whoosh). Whoosh imports them as modules,
# never names of them, in the modules a search loads (tested there too).
DEFERRED: dict[str, tuple[str, ...]] = {
    "whoosh.lang.morph_en": ("variations",),
    "whoosh.lang.porter": ("stem",),
    "whoosh.highlight": (),
    "whoosh.collectors": (),
    "whoosh.sorting": (),
}


class _Deferred(types.ModuleType):
    """Stands in for a module until it is used, then imports it and hands over."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # the import system asks for __path__ and the like
            raise AttributeError(name)
        return getattr(self._real(), name)

    def _real(self) -> types.ModuleType:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return importlib.import_module(self.__name__)


def _defer(name: str, functions: tuple[str, ...]) -> None:
    if name in sys.modules:
        return  # imported already (by the caller's own code): nothing left to save
    stand_in = _Deferred(name)
    for fn in functions:

        def forward(*args: Any, _fn: str = fn, **kwargs: Any) -> Any:
            return getattr(stand_in._real(), _fn)(*args, **kwargs)

        forward.__name__ = fn
        setattr(stand_in, fn, forward)
    sys.modules[name] = stand_in


for _name, _functions in DEFERRED.items():
    _defer(_name, _functions)

from whoosh import collectors, columns, fields, formats, matching, scoring  # noqa: E402
from whoosh import index as windex  # noqa: E402
from whoosh import query as wq  # noqa: E402
from whoosh.codec import whoosh3 as wcodec  # noqa: E402
from whoosh.filedb import filestore, structfile  # noqa: E402
from whoosh.support.levenshtein import distance  # noqa: E402


def __getattr__(name: str) -> Any:
    # whoosh.writing, imported where something is written (a search never loads it)
    if name == "writing":
        return importlib.import_module("whoosh.writing")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "collectors",
    "columns",
    "distance",
    "filestore",
    "fields",
    "formats",
    "matching",
    "scoring",
    "structfile",
    "wcodec",
    "windex",
    "wq",
]
