"""A real Celery worker for the fault tests, in a process of its own so a test can kill it.

Run as `python -m tests.faults.worker NAME`. Everything comes from the environment the test sets:
the database, the platforms' addresses, and the broker (REDIS_URL, or FAULTS_QUEUE_DIR for kombu's
filesystem transport in a folder of the test's own, never the developer's var/celery).
"""

import os
import sys

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webcare.settings")
    django.setup()
    from webcare.celery import app

    queue_dir = os.environ.get("FAULTS_QUEUE_DIR")
    if queue_dir:
        app.conf.update(
            broker_url="filesystem://localhost//", broker_transport_options=filesystem_options(queue_dir)
        )
    app.worker_main(
        [
            "worker",
            "--pool=solo",
            "--loglevel=warning",
            "--without-gossip",
            "--without-mingle",
            "-n",
            sys.argv[1],
        ]
    )


def filesystem_options(queue_dir: str) -> dict:
    return {
        "data_folder_in": queue_dir,
        "data_folder_out": queue_dir,
        "control_folder": queue_dir + "-control",
        "store_processed": False,
        "polling_interval": 0.1,
    }


if __name__ == "__main__":
    main()
