"""Settings for the test suite: the real settings with KAMP_TESTING on (immediate tasks, no login
throttling), a throw-away data folder and a fast password hasher."""

import os
import tempfile

os.environ["KAMP_TESTING"] = "1"
os.environ.setdefault("KAMP_HOME", tempfile.mkdtemp(prefix="kamp-test-"))

from kamp.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
WHITENOISE_AUTOREFRESH = True
