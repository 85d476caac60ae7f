"""SSI Companion: follow your LinkedIn Social Selling Index over time, on your own machine."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ssi-companion")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
