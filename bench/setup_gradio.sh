#!/usr/bin/env bash
# Create the Gradio baseline venv for bench/run.py, kept apart from porch's environment:
# gradio pins its own starlette/uvicorn/fastapi, which must not replace the versions porch
# is tested with.
#
# Usage: bash bench/setup_gradio.sh [VENV_DIR]   (default /tmp/porch-bench-gradio)
set -euo pipefail

VENV="${1:-/tmp/porch-bench-gradio}"
PYTHON="${PYTHON:-python3}"
GRADIO_VERSION="6.31.0"

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet "gradio==$GRADIO_VERSION"
"$VENV/bin/python" - <<'PY'
import importlib.metadata as md
for name in ("gradio", "fastapi", "starlette", "uvicorn", "httpx"):
    print(f"{name}=={md.version(name)}")
for name in ("uvloop", "httptools"):
    try:
        print(f"{name}=={md.version(name)} (uvicorn will use it)")
    except md.PackageNotFoundError:
        pass
PY
echo "Gradio baseline ready: $VENV/bin/python"
