# The production image: gunicorn serves the app; the same image runs the Celery worker and beat
# (see docker-compose.yml). Configuration comes from the environment, never from the image.

# Stage 1: the source tree without local state (virtualenv, .env, SQLite file, caches), so none of
# it reaches the final image's layers even when the build context contains it.
FROM python:3.11-slim AS source
WORKDIR /src
COPY . .
RUN rm -rf .git .venv .env db.sqlite3 var staticfiles .pytest_cache .ruff_cache .mypy_cache \
        test-results \
    && find . -name __pycache__ -type d -prune -exec rm -rf {} +

# Stage 2: the runtime image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# A writable home: gunicorn puts its control socket in ~/.gunicorn/.
RUN groupadd --system --gid 10001 webcare \
    && useradd --system --uid 10001 --gid webcare --create-home --home-dir /home/webcare \
        --shell /usr/sbin/nologin webcare

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --from=source /src /app

# Static files are collected into the image (served by WhiteNoise). The key exists only for this
# step: production settings refuse to start without SECRET_KEY, and this one is never used at run time.
# var/ is the only place the app writes: downloaded attachments (var/media, a volume in
# docker-compose.yml) and the filesystem broker when REDIS_URL is unset.
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media \
    && chown -R webcare:webcare /app/var

USER webcare

EXPOSE 8000

CMD ["gunicorn", "webcare.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
