"""trackplan: an analytics tracking plan as code in git."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("trackplan")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["__version__"]
