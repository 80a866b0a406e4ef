# One image for web and workers. The gpu worker runs it with the NVIDIA runtime; for CUDA,
# build with TORCH_INDEX=https://download.pytorch.org/whl/cu128 (the default is the CPU build).
FROM python:3.11-slim
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends libgl1 libglib2.0-0 nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt requirements-nodeps.txt ./
RUN pip install --extra-index-url "$TORCH_INDEX" -r requirements.txt \
    && pip install --no-deps -r requirements-nodeps.txt
COPY . .
RUN make -C frontend build && DEBUG=1 python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4"]
