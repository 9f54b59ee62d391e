"""gunicorn's settings for the web container (`gunicorn -c config/gunicorn.py config.wsgi`).

Threaded workers: a student long-polling for a verdict holds a thread that waits on Redis, not a
whole process, so hundreds of waiting students leave the site free for everyone else.
"""

from config.env import env_int, env_str

bind = env_str("WEB_BIND", "0.0.0.0:8000")
workers = env_int("WEB_WORKERS", 3, minimum=1)
worker_class = "gthread"
threads = env_int("WEB_THREADS", 200, minimum=1)  # per worker: concurrent requests, most of them waiting long polls
# A worker whose threads are all busy stops accepting, so a new request goes to a worker with a free
# thread instead of queueing behind long polls.
worker_connections = threads
timeout = 60  # a long poll answers within 20 s; past this a stuck worker is replaced
graceful_timeout = 25
keepalive = 5
accesslog = env_str("WEB_ACCESS_LOG", "-") or None  # empty: no access log
