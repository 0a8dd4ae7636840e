# Sourced by run.sh and test.sh: make .venv with Python 3.11 and install a requirements file.
# Usage: ensure_venv requirements.txt
ensure_venv() {
  local requirements=$1 python=""
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      python=$candidate
      break
    fi
  done
  if [ -z "$python" ]; then
    echo "ERROR: Python 3.11 is required (Django 5.2 LTS on this project's pinned versions)." >&2
    exit 1
  fi
  [ -x .venv/bin/python ] || "$python" -m venv .venv
  # Reinstall only when the requirement files changed since the last install.
  local stamp=.venv/.installed-$(cat requirements*.txt | sha1sum | cut -c1-12)-$(basename "$requirements")
  if [ ! -f "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -r "$requirements"
    touch "$stamp"
  fi
}
