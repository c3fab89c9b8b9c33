#!/bin/sh
# Entrypoint of the Dixian image: the first argument names what this container runs.
#
#   gateway | monitoring | funds | employment [extra uvicorn options...]
#       exec uvicorn on 0.0.0.0 at the app's port (8000..8003; PORT overrides it).
#       The apps write their own JSON access logs, so uvicorn's is off.
#   migrate
#       create the four databases on the DATABASE_URL server and upgrade each to head.
#   any other program on PATH (e.g. `python -m gateway.cli ...`)
#       exec'd as given, for one-off commands through `docker compose run`.
set -eu

usage() {
    cat >&2 <<'USAGE'
usage: entrypoint.sh gateway|monitoring|funds|employment [uvicorn options...]
       entrypoint.sh migrate
       entrypoint.sh PROGRAM [ARGS...]
USAGE
}

require_database_url() {
    # Without DATABASE_URL the apps fall back to the embedded development server on
    # 127.0.0.1, which a container never runs: fail loudly instead of looking unready forever.
    if [ -z "${DATABASE_URL:-}" ]; then
        echo "entrypoint.sh: DATABASE_URL must name the PostgreSQL server" >&2
        exit 78  # EX_CONFIG
    fi
}

if [ "$#" -eq 0 ]; then
    usage
    exit 64  # EX_USAGE
fi

app=$1
shift

case "$app" in
    gateway)    module=gateway.app;             default_port=8000 ;;
    monitoring) module=services.monitoring.app; default_port=8001 ;;
    funds)      module=services.funds.app;      default_port=8002 ;;
    employment) module=services.employment.app; default_port=8003 ;;
    migrate)
        require_database_url
        exec python -m scripts.bootstrap
        ;;
    -h | --help | help)
        usage
        exit 0
        ;;
    *)
        if command -v "$app" >/dev/null 2>&1; then
            exec "$app" "$@"
        fi
        echo "entrypoint.sh: unknown app '$app'" >&2
        usage
        exit 64
        ;;
esac

require_database_url
exec uvicorn "$module:app" \
    --host 0.0.0.0 \
    --port "${PORT:-$default_port}" \
    --proxy-headers \
    --no-access-log \
    "$@"
