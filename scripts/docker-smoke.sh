#!/usr/bin/env bash
# Smoke test of the Docker image, as CI runs it: bash scripts/docker-smoke.sh
#
# Builds the image from ./Dockerfile, runs it with a temporary host directory as
# the /data volume, waits for /healthz, registers a user over POST /graphql,
# runs the image HEALTHCHECK, stops the container with SIGTERM (exit code must
# be 0), then starts a second container on the same directory and logs in as
# that user (the database survived). Containers and the directory are removed
# on exit, also on failure.
#
# Env: LOCAL_ENGINE   path of local-engine.sh (default ../shared/docker/local-engine.sh
#                     beside the project root)
#      IMAGE          image tag (default messaging-api:ci)
#      LE_NAME        container name prefix (default messaging-smoke-<pid>)
#      SMOKE_SKIP_BUILD=1  reuse an existing $IMAGE
#      SMOKE_TIMEOUT  seconds to wait for /healthz (default 60)
#      SMOKE_BUILD_ARGS  extra `podman build` arguments, e.g. --no-cache
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

LE=${LOCAL_ENGINE:-$ROOT/../shared/docker/local-engine.sh}
IMAGE=${IMAGE:-messaging-api:ci}
NAME=${LE_NAME:-messaging-smoke-$$}
TIMEOUT=${SMOKE_TIMEOUT:-60}
USERNAME=docker_user
PASSWORD=docker-pass-123

passed=0
containers=()
work_dir=
data_dir=
current=

now() { printf '%s\n' "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
le() { bash "$LE" "$@"; }

pass() { passed=$((passed + 1)); printf 'PASS: %s\n' "$*"; }
fail() {
  printf 'FAIL: %s\n' "$*" >&2
  if [ -n "$current" ]; then
    printf -- '--- logs of %s ---\n' "$current" >&2
    le podman logs "$current" >&2 2>&1 || true
    printf -- '--- end of logs ---\n' >&2
  fi
  printf 'docker-smoke: %d passed, 1 failed\n' "$passed"
  exit 1
}

cleanup() {
  local rc=$?
  if [ ${#containers[@]} -gt 0 ]; then
    le podman rm -f -t 0 "${containers[@]}" >/dev/null 2>&1 || true
  fi
  [ -n "$work_dir" ] && rm -rf "$work_dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -f "$LE" ] || fail "local-engine.sh not found at $LE (set LOCAL_ENGINE)"
command -v curl >/dev/null || fail "curl is required"

free_port() {
  node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })"
}

# POST a GraphQL document; prints the response body.
graphql() {
  local query=$1 body
  body=$(node -e 'process.stdout.write(JSON.stringify({ query: process.argv[1] }))' "$query")
  curl -sS --max-time 15 -H 'content-type: application/json' --data "$body" "http://127.0.0.1:$PORT/graphql"
}

# start <name>: runs the image on the host network with the data directory as /data.
# Output goes to a file: podman's conmon would otherwise keep our stdout/stderr
# open for the container's lifetime (a pipe reading this script would hang).
start() {
  current=$1
  containers+=("$1")
  LE_NAME=$1 le run "$IMAGE" --network host -v "$data_dir:/data" \
    -e PORT="$PORT" -e JWT_SECRET="$JWT_SECRET" -e BCRYPT_ROUNDS=4 \
    </dev/null >"$work_dir/run-$1.log" 2>&1 || { cat "$work_dir/run-$1.log" >&2; fail "podman run $1 failed"; }
}

# wait_healthy: polls /healthz until 200, the container exits, or the timeout.
wait_healthy() {
  local deadline=$((SECONDS + TIMEOUT)) state
  until curl -fsS --max-time 2 "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do
    state=$(le podman inspect --format '{{.State.Status}}' "$current" 2>/dev/null || echo missing)
    [ "$state" = running ] || fail "$current is $state before answering /healthz"
    [ $SECONDS -lt $deadline ] || fail "/healthz did not answer within ${TIMEOUT}s"
    sleep 0.25
  done
}

# stop_with_sigterm: podman stop sends SIGTERM, SIGKILL only after 15 s.
stop_with_sigterm() {
  local t0 code
  t0=$(now)
  le podman stop -t 15 "$current" >/dev/null || fail "podman stop $current failed"
  code=$(le podman inspect --format '{{.State.ExitCode}}' "$current")
  [ "$code" = 0 ] || fail "$current exited with code $code after SIGTERM (expected 0)"
  pass "SIGTERM: $current exited with code 0 in $(since "$t0") s"
  # Exit code 0 alone does not prove the drain finished: as PID 1, node also
  # exits 0 when its event loop empties while a shutdown step still waits.
  if le podman logs "$current" 2>&1 | grep -q '"msg":"stopped"'; then
    pass "SIGTERM: $current logged \"stopped\" (graceful shutdown completed)"
  else
    fail "$current exited without logging \"stopped\": the graceful shutdown did not complete"
  fi
}

t_all=$(now)

# 1. Build ------------------------------------------------------------------
if [ "${SMOKE_SKIP_BUILD:-}" = 1 ]; then
  echo "skipping build, using $IMAGE"
  t_build="skipped"
else
  t0=$(now)
  # shellcheck disable=SC2086 # word splitting of SMOKE_BUILD_ARGS is intended
  le build . "$IMAGE" ${SMOKE_BUILD_ARGS:-} </dev/null || fail "image build failed"
  t_build="$(since "$t0") s"
  pass "build $IMAGE in $t_build"
fi
size=$(le podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{ printf "%.0f MB", $1 / 1e6 }')
echo "image $IMAGE: $size"

# 2. First container: register ----------------------------------------------
work_dir=$(mktemp -d "${TMPDIR:-/tmp}/messaging-smoke.XXXXXX")
data_dir=$work_dir/data
mkdir "$data_dir"
chmod 777 "$data_dir" # the image runs as uid 1000 (node)
PORT=$(free_port)
JWT_SECRET=$(node -e "console.log(require('crypto').randomBytes(36).toString('base64'))") # 48 chars

t0=$(now)
start "$NAME-1"
wait_healthy
t_healthy1=$(since "$t0")
pass "$current healthy on port $PORT ${t_healthy1} s after start"

ready=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/readyz" || true)
[ "$ready" = 200 ] || fail "/readyz answered $ready (expected 200)"
pass "/readyz answered 200"

reply=$(graphql "mutation { register(input: {username: \"$USERNAME\", password: \"$PASSWORD\"}) { accessToken user { id username } } }") ||
  fail "POST /graphql register: curl failed"
case $reply in
  *'"errors"'*) fail "register answered errors: $reply" ;;
  *"\"username\":\"$USERNAME\""*'}'*) ;;
  *) fail "unexpected register answer: $reply" ;;
esac
[[ $reply == *'"accessToken":"'?* ]] || fail "register answer has no accessToken: $reply"
pass "register $USERNAME: $(printf '%s' "$reply" | grep -o '"user":{[^}]*}')"

[ -f "$data_dir/messaging.db" ] || fail "no messaging.db in the /data volume ($data_dir)"
pass "database file written to the /data volume"

health=$(le health "$current" 2>&1) || fail "image HEALTHCHECK: $health"
[ "$(printf '%s\n' "$health" | tail -n1)" = healthy ] || fail "image HEALTHCHECK: $health"
pass "image HEALTHCHECK: healthy"

stop_with_sigterm

# 3. Second container on the same data: login --------------------------------
t0=$(now)
start "$NAME-2"
wait_healthy
t_healthy2=$(since "$t0")
pass "$current (same /data) healthy ${t_healthy2} s after start"

reply=$(graphql "mutation { login(input: {username: \"$USERNAME\", password: \"$PASSWORD\"}) { accessToken user { username } } }") ||
  fail "POST /graphql login: curl failed"
case $reply in
  *'"errors"'*) fail "login answered errors (data lost?): $reply" ;;
  *"\"username\":\"$USERNAME\""*) ;;
  *) fail "unexpected login answer: $reply" ;;
esac
pass "login $USERNAME after restart: the data survived"

stop_with_sigterm
current=

# 4. Two containers on this machine's PostgreSQL + Redis ---------------------
# The scale-out shape of docker-compose.yml, minus the images that cannot be
# pulled here: both replicas start at once on an empty schema.
PG_URL=${SMOKE_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/test}
REDIS=${SMOKE_REDIS_URL:-redis://127.0.0.1:6379}
pg_schema="docker_smoke_$$"
drop_schema() { psql "$PG_URL" -qc "DROP SCHEMA IF EXISTS $pg_schema CASCADE" >/dev/null 2>&1 || true; }
trap 'drop_schema; cleanup' EXIT

start_replica() { # <name> <port>
  current=$1
  containers+=("$1")
  LE_NAME=$1 le run "$IMAGE" --network host \
    -e PORT="$2" -e JWT_SECRET="$JWT_SECRET" -e BCRYPT_ROUNDS=4 \
    -e DATABASE_URL="$PG_URL?schema=$pg_schema" -e REDIS_URL="$REDIS" -e REDIS_PREFIX="smoke$$:" \
    </dev/null >"$work_dir/run-$1.log" 2>&1 || { cat "$work_dir/run-$1.log" >&2; fail "podman run $1 failed"; }
}

PORT_A=$(free_port)
PORT_B=$(free_port)
start_replica "$NAME-a" "$PORT_A" &
start_replica "$NAME-b" "$PORT_B" &
wait
containers+=("$NAME-a" "$NAME-b") # the background subshells' additions are lost
for pair in "$NAME-a:$PORT_A" "$NAME-b:$PORT_B"; do
  current=${pair%%:*}
  PORT=${pair##*:}
  wait_healthy
  ready=$(curl -sS --max-time 5 "http://127.0.0.1:$PORT/readyz" || true)
  [ "$ready" = '{"status":"ready","database":"up","redis":"up"}' ] || fail "$current /readyz: $ready"
done
pass "two replicas on PostgreSQL + Redis healthy and ready (ports $PORT_A, $PORT_B)"

applied=$(for n in "$NAME-a" "$NAME-b"; do le podman logs "$n" 2>&1; done | grep -c '"applied database migrations"' || true)
[ "$applied" = 1 ] || fail "migrations were applied $applied times by two replicas starting together (expected 1)"
pass "replicas starting together applied the migrations once"

PORT=$PORT_A
reply=$(graphql "mutation { register(input: {username: \"scaled_user\", password: \"$PASSWORD\"}) { user { username } } }")
[[ $reply == *'"username":"scaled_user"'* ]] || fail "register on replica A: $reply"
PORT=$PORT_B
reply=$(graphql "mutation { login(input: {username: \"scaled_user\", password: \"$PASSWORD\"}) { user { username } } }")
[[ $reply == *'"username":"scaled_user"'* ]] || fail "login on replica B: $reply"
pass "registered on replica A, logged in on replica B"

for name in "$NAME-a" "$NAME-b"; do
  current=$name
  stop_with_sigterm
done
current=

echo "timings: build ${t_build}, start-to-healthy ${t_healthy1} s (empty volume) / ${t_healthy2} s (existing data), whole script $(since "$t_all") s"
printf 'docker-smoke: %d passed, 0 failed\n' "$passed"
