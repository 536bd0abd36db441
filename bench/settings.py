"""The app's settings as the benchmark serves it: the same, plus bench/urls.py."""

from physio.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
