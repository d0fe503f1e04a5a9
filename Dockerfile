# SMO production image. gunicorn serves the app and whitenoise its /static/;
# the same image runs the Celery worker and beat (see docker-compose.yml).

# Chart.js for the analytics page, pinned by package-lock.json. Only its dist/
# folder goes into the image; node itself stays in this stage.
FROM node:20-slim AS chartjs
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim

# WEB_CONCURRENCY is gunicorn's worker count: about 2 x cores + 1, so override
# it per host.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    WEB_CONCURRENCY=3

WORKDIR /app

RUN groupadd --system --gid 10001 smo \
    && useradd --system --uid 10001 --gid smo --home-dir /home/smo --create-home smo

# ffprobe (Debian's ffmpeg) reads each uploaded video's length and shape, which
# the networks' limits are checked against (scheduler/video_probe.py).
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg \
    && rm -rf /var/lib/apt/lists/*

# Dependencies go in before the code, so a code change doesn't reinstall them.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# Served as /static/vendor/chartjs/ (STATICFILES_DIRS in smo/settings.py).
COPY --from=chartjs /build/node_modules/chart.js/dist /app/node_modules/chart.js/dist

# Settings won't load without SECRET_KEY and SMO_ENCRYPTION_KEYS while DEBUG is
# off. These throwaway values exist only for this one command: they show in
# `docker history` but not in the image's environment, and nothing is signed or
# encrypted with them. The key is a valid all-zero Fernet key.
# var/ holds the default beat schedule and file cache. /data/media is the
# media volume, created here so that a new named volume is owned by smo.
RUN SECRET_KEY=collectstatic-build-only \
    SMO_ENCRYPTION_KEYS=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/var /data/media \
    && chown smo:smo /app/var /data/media

# The code stays owned by root, so the app can't rewrite itself. The numeric
# id lets a runtime verify that the user is not root.
USER 10001:10001

EXPOSE 8000

CMD ["gunicorn", "smo.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
