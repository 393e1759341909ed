"""The foundation's import kinds: customers, contacts and sales lines. (They live in core, the
engine's home; later areas put theirs in their own app's ``imports.py``.)"""
