"""The web server's settings, as docker-compose and the benches run it (gunicorn.conf.py)."""

import gc
import runpy
from pathlib import Path

from gunicorn.config import Config

SETTINGS = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))


def test_every_setting_is_one_gunicorn_knows():
    config = Config()
    for name, value in SETTINGS.items():
        if name in config.settings:
            config.set(name, value)  # validates the value too
    assert (config.worker_class_str, config.threads, config.keepalive) == ("gthread", 4, 75)
    assert config.post_worker_init is SETTINGS["post_worker_init"]


def test_a_worker_freezes_what_the_app_loaded():
    try:
        SETTINGS["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
