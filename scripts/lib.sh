# Shared by scripts/demo and scripts/test: system packages and the project's virtualenv.
# Works on a fresh Debian 12 (Python 3.11) as root or with sudo.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# ensure_apt_packages PACKAGE...: install whichever are missing (one apt-get update at most).
ensure_apt_packages() {
    local missing=()
    for package in "$@"; do
        dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "installing system packages: ${missing[*]}" >&2
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

# ensure_venv [EXTRAS]: .venv with the project installed (editable), plus optional extras.
ensure_venv() {
    local python=${PYTHON:-python3}
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "Liuhen needs Python 3.11 or newer as $python" >&2
        exit 1
    fi
    if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
        ensure_apt_packages python3-venv
    fi
    if [ ! -x .venv/bin/python ]; then
        "$python" -m venv .venv
    fi
    local target="."
    [ -n "${1:-}" ] && target=".[$1]"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$target"
}
