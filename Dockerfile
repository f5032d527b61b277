# syntax=docker/dockerfile:1
# One image for both services of docker-compose.yml; NICAVENTAS_API picks the
# API a container serves. Gunicorn on port 8000, as a user without privileges.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# Build: mysqlclient compiles against the MariaDB client library.
FROM ${PYTHON_IMAGE} AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev libmariadb-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/requirements.txt
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r /tmp/requirements.txt

# Run: the wheels and the client library, no compiler.
FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmariadb3 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --user-group --uid 10001 --no-create-home nicaventas
COPY requirements.txt /tmp/requirements.txt
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels \
        -r /tmp/requirements.txt

WORKDIR /app
COPY . .
# Hashed, compressed copies of the admin's and the API docs' files for
# WhiteNoise. Only this step sees these placeholder secrets.
RUN DJANGO_DEBUG=false DJANGO_SECRET_KEY=collectstatic OPERATOR_TOKEN=collectstatic \
    python manage.py collectstatic --no-input -v0

USER nicaventas
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]
CMD ["gunicorn", "--config", "gunicorn.conf.py", "--bind", "0.0.0.0:8000", "nicaventas.wsgi"]
