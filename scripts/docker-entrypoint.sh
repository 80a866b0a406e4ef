#!/bin/sh
# Start a SiamLabel container (Dockerfile ENTRYPOINT), then run its command.
# The web server (command `gunicorn ...`) first prepares a fresh or upgraded installation:
# migrations, static files, and the built-in default model when no default checkpoint exists.
# Workers skip this (several starting at once would race on migrations); SIAMLABEL_SETUP=1 forces
# it for any command, SIAMLABEL_SETUP=0 turns it off.
set -eu

setup="${SIAMLABEL_SETUP:-auto}"
if [ "$setup" = auto ]; then
    case "${1:-}" in
        gunicorn) setup=1 ;;
        *) setup=0 ;;
    esac
fi

if [ "$setup" = 1 ]; then
    python manage.py migrate --noinput
    python manage.py collectstatic --noinput --verbosity 0
    python manage.py ensure_default_model
fi

exec "$@"
