# Sourced by scripts/test and scripts/bench: make .venv and install fmtbench with every extra
# at the exact versions of requirements.lock (refresh it with scripts/lock).
# Re-installs only when pyproject.toml or the lock changed, so repeated runs start at once.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    echo "creating .venv with $($PY --version)" >&2
    "$PY" -m venv .venv
fi
stamp=".venv/.fmtbench-installed"
want="$(cat pyproject.toml requirements.lock | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "installing fmtbench with all extras into .venv (first run takes a minute)" >&2
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -r requirements.lock
    .venv/bin/python -m pip install --quiet --no-deps -e .
    echo "$want" > "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
