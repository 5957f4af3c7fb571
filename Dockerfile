FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    BOUNTY_DATA_DIR=/data \
    ORT_DISABLE_TELEMETRY=1

WORKDIR /app
# libseccomp: the sandbox that runs participants' models installs a seccomp filter through it.
RUN apt-get update && apt-get install -y --no-install-recommends libseccomp2 \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 bounty && mkdir -p /data && chown bounty /data

# The platform and its engine (with the sandbox extra); the participant's client is not needed here.
COPY pyproject.toml README.md ./
COPY scoring ./scoring
COPY bounty ./bounty
RUN pip install './scoring[sandbox]' . && rm -rf scoring/build

COPY manage.py gunicorn.conf.py ./
COPY templates ./templates
COPY docs ./docs
COPY static ./static
RUN DJANGO_SECRET_KEY=collectstatic-only DJANGO_ALLOWED_HOSTS=localhost BOUNTY_DATA_DIR=/tmp/build \
    python manage.py collectstatic --noinput && rm -rf /tmp/build

USER bounty
VOLUME ["/data"]
EXPOSE 8000
CMD ["gunicorn", "bounty.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
