"""Logging filters named by ``settings.LOGGING``."""

from __future__ import annotations

import logging


class ExpectedForbiddenFilter(logging.Filter):
    """A 403 is kamp's access rules working as meant (a viewer opening an edit form), not a
    fault: Django logs it with the PermissionDenied's traceback, which buries real errors in
    the log. Keep its one line ("Forbidden (Permission denied): /path") and drop the trace."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
