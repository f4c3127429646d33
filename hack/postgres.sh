#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries (initdb, postgres) are installed,
# for the store tests that run a throwaway server. Installs Debian's
# postgresql package when they are missing; skips all work when present.
# Tests given TELEMETRY_TEST_POSTGRES_DSN use that server and need nothing.
set -euo pipefail

if [ -n "${TELEMETRY_TEST_POSTGRES_DSN:-}" ]; then exit 0; fi
for dir in /usr/lib/postgresql/*/bin "$(pg_config --bindir 2>/dev/null || true)"; do
	if [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ]; then exit 0; fi
done

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
	echo "postgres: PostgreSQL's server binaries are missing. Install them (Debian: apt-get install postgresql)" >&2
	echo "postgres: or set TELEMETRY_TEST_POSTGRES_DSN to a server the tests may create databases on." >&2
	exit 1
fi
echo "postgres: installing Debian's postgresql package" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends postgresql >/dev/null
