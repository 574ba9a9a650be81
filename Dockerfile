# The gateway's image for deploy/kubernetes/: the package and its dependencies, nothing else,
# run as an unprivileged user. Build: docker build -t member-gateway:0.1.0 .
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /srv/gateway
COPY pyproject.toml README.md LICENSE ./
COPY server ./server
COPY schema ./schema
COPY gateway ./gateway
COPY store ./store
COPY models ./models
RUN pip install . && rm -rf /root/.cache

USER 10001
EXPOSE 8000
CMD ["gateway", "serve", "--no-migrate", "--host", "0.0.0.0", "--port", "8000"]
