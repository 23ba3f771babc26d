"""gunicorn settings for PACE Hub: ``gunicorn -c pace_hub/gunicorn.conf.py pace_hub.wsgi``.

Pages are CPU-bound Python (most of a page is building querysets, charts and templates while
holding the GIL), so processes beyond the number of cores only take turns on them. The defaults:

- ``workers`` = cores + 1 processes: one per core, and one more to use the time a request spends
  waiting for PostgreSQL or Redis (WEB_CONCURRENCY overrides, as on most hosts);
- ``threads`` = 2 each (gthread): a second request in the same process — a static file, a status
  poll, a short API read — is answered while a long page renders, instead of queueing behind it;
  more threads than that only contend for the process's GIL (GUNICORN_THREADS overrides);
- a process is replaced after about 2,000 requests (jittered, so they do not all restart at
  once), which bounds the memory a long-running process can collect;
- each process, once it has loaded the application, freezes what start-up left in memory out of
  the garbage collector (``pace_hub/gc_tuning.py`` has the measurements): a full collection then
  takes milliseconds instead of a tenth of a second in the middle of a request.

``bench/load.py`` runs the load test on these settings.
"""

import os

cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str(cores + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread"
# A request running longer than this is a fault (uploads are checked by the worker, not here).
timeout = 60
graceful_timeout = 30
# An idle kept-alive connection stays open longer than the proxy's (nginx: 60 s) and than a
# person's pause between pages: the client side closes first, so no request is ever sent down a
# connection the server has just closed (which fails as "connection reset by peer"). Idle
# connections wait in the poller, not in a thread.
keepalive = 75
max_requests = 2000
max_requests_jitter = 200


def post_worker_init(worker) -> None:
    from pace_hub.gc_tuning import freeze_startup_objects

    freeze_startup_objects()
