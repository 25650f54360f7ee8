"""A bench-only app: the "bare view" that ingest is measured against (one ORM insert, nothing else).

Never part of the product: only `benchkit.bare.settings` installs it and routes `/bare/` to it, on top of
the product's own settings and URLs, so the same gunicorn serves both in the same run.
"""
