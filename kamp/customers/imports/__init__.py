"""The customers area's import kinds (``customers``, ``contacts``) and the customer lookup every
other area's kinds use (``lookup``). The import engine finds this package by name: importing it
registers the kinds (docs/imports.md)."""

from . import contacts, customers  # noqa: F401  (registers the kinds)
