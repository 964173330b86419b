# The gateway image: `citizen-gateway serve` (and `citizen-gateway seed` for the seed job).
# Built from a wheel: the package carries the contract, the example policies and the connector
# files (gateway/shipped); a council mounts its own and points GATEWAY_CONTRACT_PATH,
# GATEWAY_POLICY_DIR and GATEWAY_CONNECTORS_DIR at them.
FROM python:3.11-slim-bookworm AS wheel
WORKDIR /src
COPY pyproject.toml schema.graphql ./
COPY gateway ./gateway
COPY council ./council
COPY stack ./stack
COPY connectors ./connectors
COPY policies ./policies
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
COPY --from=wheel /wheels /wheels
RUN pip install /wheels/*.whl && rm -rf /wheels \
    && useradd --system --uid 10001 --home-dir /var/lib/citizen-gateway gateway \
    && mkdir -p /var/lib/citizen-gateway && chown gateway /var/lib/citizen-gateway
WORKDIR /var/lib/citizen-gateway

USER gateway
EXPOSE 8000
CMD ["citizen-gateway", "serve"]
