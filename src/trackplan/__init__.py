"""trackplan: an analytics tracking plan as code in git."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("trackplan")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["Checker", "__version__"]


def __getattr__(name: str) -> object:
    # `trackplan.Checker` without importing the validator stack at CLI start-up.
    if name == "Checker":
        from trackplan.checking.checker import Checker

        return Checker
    raise AttributeError(name)
