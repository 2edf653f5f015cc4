"""Settings gunicorn reads when it is started from this folder (`gunicorn wsgi:app`); the
command line adds to them (workers, threads, the address)."""


def post_worker_init(worker):
    """A new worker reads the recent cycles' reports in the background, so that the first
    person to open a dashboard after a start or a restart does not wait for them."""
    from audit_app.reports.refresh import warm_in_background

    warm_in_background(worker.wsgi)
