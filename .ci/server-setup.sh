# Sourced by .ci/run (as root, CI=true, fresh Debian 12) before the test run; also safe to source
# again on a machine where everything is already installed. It installs what the @leakwatch/server
# tests need, starts PostgreSQL and exports LEAKWATCH_TEST_PG for the store contract tests.
# No `set -e`: this file is sourced, and changing the caller's shell options would leak out of it.

lw_server_setup() {
  local pkgs="postgresql chromium fonts-noto-cjk ca-certificates"
  local missing=""
  local p
  for p in $pkgs; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    echo "server-setup: installing$missing"
    apt-get update -qq || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing || return 1
  fi

  # Debian creates the "main" cluster when the package is installed; create it if someone removed it.
  # (No `cmd | grep -q` below: the caller may run with pipefail, and grep -q closing the pipe early
  # would turn a match into a failure.)
  local version status port i exists
  version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
  status="$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}')"
  if [ -z "$status" ]; then
    pg_createcluster "$version" main || return 1
    status=down
  fi
  if [ "$status" != online ]; then
    pg_ctlcluster "$version" main start || return 1
  fi
  port="$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')"

  for i in $(seq 1 30); do
    su postgres -c "psql -p $port -tAc 'select 1'" >/dev/null 2>&1 && break
    sleep 1
  done

  # The contract tests create and drop one scratch database per test file, hence CREATEDB.
  su postgres -c "psql -p $port -v ON_ERROR_STOP=1 -q" <<SQL || return 1
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'leakwatch') THEN
    CREATE ROLE leakwatch LOGIN CREATEDB PASSWORD 'leakwatch';
  END IF;
END \$\$;
SQL
  exists="$(su postgres -c "psql -p $port -tAc \"select 1 from pg_database where datname='leakwatch'\"")"
  if [ "$exists" != 1 ]; then
    su postgres -c "createdb -p $port -O leakwatch leakwatch" || return 1
  fi

  export LEAKWATCH_TEST_PG="postgres://leakwatch:leakwatch@127.0.0.1:$port/leakwatch"  # leakwatch:allow (throwaway role of the local test cluster)
  export LEAKWATCH_TEST_CHROMIUM=/usr/bin/chromium
  echo "server-setup: LEAKWATCH_TEST_PG=$LEAKWATCH_TEST_PG"
}

if lw_server_setup; then
  unset -f lw_server_setup
else
  unset -f lw_server_setup
  echo "server-setup: failed" >&2
  return 1 2>/dev/null || exit 1
fi
