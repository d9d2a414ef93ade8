#!/bin/sh
# steward-admin: the local CLI for the host's root (works when steward-api is down).
exec /usr/bin/node /usr/lib/steward/steward-admin.mjs "$@"
