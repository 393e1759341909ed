"""Serve the plotly.min.js that the installed ``plotly`` package ships, as a local static file
(``vendor/plotly.min.js``): one copy, always the version the Python code was written against."""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

_DIR = Path(plotly.__file__).parent / "package_data"
_NAME = "vendor/plotly.min.js"


class PlotlyFinder(BaseFinder):
    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if path == _NAME:
            found = str(_DIR / "plotly.min.js")
            return [found] if find_all else found
        return [] if find_all else None

    def list(self, ignore_patterns):
        yield "plotly.min.js", _PrefixedStorage(location=str(_DIR))


class _PrefixedStorage(FileSystemStorage):
    prefix = "vendor"
