# Charter schema registry on the embedded durable log.
#   docker build -t charter .
#   docker run -p 8081:8081 -v charter-data:/var/lib/charter charter
# The image holds the runtime-only install (the wheel and its [project].dependencies, no
# extras), with the package data (console templates, Confluent's .proto files). CI proves this
# install path without a Docker engine: scripts/smoke_runtime.sh builds from the same COPY lines.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY cli ./cli
COPY clients ./clients
COPY compat ./compat
COPY registry ./registry
RUN pip install --no-cache-dir --upgrade pip \
 && pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
COPY --from=build /wheels /wheels
# The check compiles the shipped confluent/*.proto files: it fails the build if they are missing.
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels \
 && python -c "from charter.compat.protobuf.wellknown import is_builtin; assert is_builtin('confluent/meta.proto')" \
 && useradd --system --uid 10001 --home-dir /var/lib/charter --create-home charter
USER charter
# Listen address as Confluent's image takes it (SCHEMA_REGISTRY_LISTENERS), so a Confluent user's
# SCHEMA_REGISTRY_* variables apply unchanged; CHARTER_* variables and flags still win over them.
ENV SCHEMA_REGISTRY_LISTENERS=http://0.0.0.0:8081 \
    CHARTER_DATA_DIR=/var/lib/charter \
    PYTHONUNBUFFERED=1
VOLUME ["/var/lib/charter"]
EXPOSE 8081
# Readiness (GET /status/ready: serves reads and, on the primary, accepts writes), on the port the
# settings resolve to from the same variables `charter serve` reads.
HEALTHCHECK --interval=10s --timeout=3s CMD python -c "import urllib.request; from charter.registry.settings import resolve; urllib.request.urlopen('http://127.0.0.1:%d/status/ready' % resolve().settings.port, timeout=2)"
ENTRYPOINT ["charter", "serve"]
