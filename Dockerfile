# The gateway image: `citizen-gateway serve` (and `citizen-gateway seed` for the seed job).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

# dependencies first, so a code change does not reinstall them
COPY pyproject.toml ./
RUN mkdir gateway council stack \
    && touch gateway/__init__.py council/__init__.py stack/__init__.py \
    && pip install . && pip uninstall -y citizen-gateway

COPY gateway ./gateway
COPY council ./council
COPY stack ./stack
COPY connectors ./connectors
COPY policies ./policies
COPY schema.graphql ./
# editable: the package finds schema.graphql, policies/ and connectors/ beside it
RUN pip install --no-deps -e . \
    && useradd --system --uid 10001 --home-dir /app gateway \
    && mkdir -p /var/lib/citizen-gateway && chown gateway /var/lib/citizen-gateway

USER gateway
EXPOSE 8000
CMD ["citizen-gateway", "serve"]
