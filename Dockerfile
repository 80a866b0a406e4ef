# One image for the web server and both workers (docker-compose.yml; docs/operations.md, "The image").
#   stage `frontend`: Node builds the Vite front end into annotator/static/annotator/dist/
#   stage `app`:      Python with the pinned requirements, the code and the built front end, run as
#                     the unprivileged user `siamlabel`; scripts/docker-entrypoint.sh prepares a first start
# Build arguments:
#   TORCH_INDEX_URL  where pip finds torch: the CPU build by default; the gpu worker's image is built with
#                    https://download.pytorch.org/whl/cu128 (docker-compose.yml passes it)
#   NODE_IMAGE, PYTHON_IMAGE  the base images; the locked Vite 7 needs Node ^20.19 or >=22.12
#                    (Debian bookworm's nodejs 18 is too old), the app Python 3.11
ARG NODE_IMAGE=node:22-bookworm-slim
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${NODE_IMAGE} AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
# vite.config.ts writes to ../annotator/static/annotator/dist, i.e. /src/annotator/static/annotator/dist
RUN npm run build

FROM ${PYTHON_IMAGE} AS app
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 \
    VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH
# a virtual environment, so the same steps work on python:*-slim and on a Debian base with python3-venv
RUN python3 -m venv /opt/venv
WORKDIR /app
COPY requirements.txt requirements-nodeps.txt ./
# requirements-nodeps.txt must go in with --no-deps (see the file and the Makefile)
RUN pip install --extra-index-url "$TORCH_INDEX_URL" -r requirements.txt \
    && pip install --no-deps -r requirements-nodeps.txt
RUN useradd --create-home --uid 10001 --user-group siamlabel
# the code stays root-owned (read-only to the app); only var/ (static files, cache) and /data are writable.
# /data/media and /data/weights exist in the image so fresh named volumes mounted there belong to siamlabel.
COPY . .
COPY --from=frontend /src/annotator/static/annotator/dist/ annotator/static/annotator/dist/
RUN mkdir -p var /data/media /data/weights && chown -R siamlabel:siamlabel var /data
USER siamlabel
EXPOSE 8000
ENTRYPOINT ["/app/scripts/docker-entrypoint.sh"]
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", "--timeout", "300"]
