#!/usr/bin/env bash
# Measures sluice and its peers (kinesalite, kinesis-mock, an nginx transport
# ceiling; dynalite for DynamoDB) in one run, on loopback only, and writes the
# results tables into BENCHMARKS.md between <!-- results:begin --> and
# <!-- results:end -->.
#
#   bench/run.sh            full run (~10-12 min after the build), updates BENCHMARKS.md
#   bench/run.sh --quick    ~40 s smoke run of sluice only; prints the table, writes nothing
#
# Exit status: non-zero when a scenario failed, or (full run) when the DynamoDB
# target is missed: conditional UpdateItem (ddb-update) at least 10x dynalite's
# requests/s with p99 under 5 ms.
#
# Options: --no-install (skip apt/npm), --no-build (use existing binaries),
#          --only LIST (comma list of sluice,sluice-fsync-os,kinesalite,kinesis-mock,dynalite,nginx),
#          --no-update (full run without touching BENCHMARKS.md).
# Environment: SLUICE_BUILD_DIR (default <repo>/build), BENCH_OUT (results dir),
#   BENCH_INGEST_S / BENCH_PUTRECORD_S / BENCH_PUTGET_S / BENCH_PUTGET_RATE (20/15/10/200),
#   BENCH_DDB_S / BENCH_DDB_UPDATE_RUNS / BENCH_DDB_ITEMS (10/3/10000).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
BUILD=${SLUICE_BUILD_DIR:-$ROOT/build}
QUICK=0 INSTALL=1 BUILD_STEP=1 UPDATE=1
ONLY="sluice,sluice-fsync-os,kinesalite,kinesis-mock,dynalite,nginx"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; ONLY="sluice"; UPDATE=0 ;;
    --no-install) INSTALL=0 ;;
    --no-build) BUILD_STEP=0 ;;
    --no-update) UPDATE=0 ;;
    --only) ONLY="$2"; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
wants() { [[ ",$ONLY," == *",$1,"* ]]; }

OUT=${BENCH_OUT:-$BUILD/bench-results/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
RESULTS=$OUT/results.jsonl
COMMANDS=$OUT/commands.txt
: >"$RESULTS"
: >"$COMMANDS"
log() { echo "[run.sh] $*" >&2; }
json_str() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '"%s"' "$s"; }
note() {  # note TARGET SCENARIO KEY VALUE: a non-measurement line for the report
  printf '{"scenario":%s,"target":%s,%s:%s}\n' "$(json_str "$2")" "$(json_str "$1")" \
    "$(json_str "$3")" "$(json_str "$4")" >>"$RESULTS"
}
record_cmd() { printf '%s\n' "$*" >>"$COMMANDS"; }

# --- processes we start: stopped by PID on exit ------------------------------
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  local keep=()
  for p in "${PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# --- (a) install what is missing ---------------------------------------------
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
apt_install() {
  # Never let a package's postinst start a system-wide service (nginx would
  # listen on 0.0.0.0:80): a temporary policy-rc.d refuses service starts.
  local policy=/usr/sbin/policy-rc.d created=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod +x "$policy"; created=1
  fi
  [ -n "${APT_UPDATED:-}" ] || { $SUDO apt-get update -qq; APT_UPDATED=1; }
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" || {
    [ $created = 1 ] && $SUDO rm -f "$policy"; return 1; }
  [ $created = 1 ] && $SUDO rm -f "$policy"
  return 0
}
if [ $INSTALL = 1 ]; then
  if ! command -v cmake >/dev/null || ! command -v ninja >/dev/null ||
     ! dpkg-query -W -f='${Status}' libboost1.81-dev 2>/dev/null | grep -q 'ok installed'; then
    log "installing build dependencies (scripts/setup.sh)"
    bash "$ROOT/scripts/setup.sh"
  fi
  command -v python3 >/dev/null || apt_install python3
  if [ $QUICK = 0 ]; then
    if (wants kinesalite || wants kinesis-mock || wants dynalite); then
      command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
      if [ ! -x "$BENCH/node_modules/.bin/kinesalite" ] || [ ! -f "$BENCH/node_modules/kinesis-local/main.js" ] ||
         [ ! -f "$BENCH/node_modules/dynalite/cli.js" ]; then
        log "installing kinesalite, kinesis-local and dynalite into bench/node_modules (npm ci)"
        (cd "$BENCH" && npm ci --no-audit --no-fund --loglevel=error)
      fi
    fi
    if wants nginx && ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
      log "installing nginx-light (transport ceiling)"
      apt_install nginx-light || apt_install nginx
    fi
  fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# --- (b) build -----------------------------------------------------------------
SLUICE_BIN=$BUILD/src/sluice
BENCH_BIN=$BUILD/bench/sluice-bench
SLUICE_BUILD_ERROR=""
if [ $BUILD_STEP = 1 ]; then
  log "building sluice and sluice-bench in $BUILD"
  record_cmd "cmake -S . -B $BUILD -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C $BUILD -j2 sluice sluice-bench"
  bench_built=0
  if cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >"$OUT/cmake.log" 2>&1; then
    ninja -C "$BUILD" -j2 sluice-bench >"$OUT/build-bench.log" 2>&1 && bench_built=1
    ninja -C "$BUILD" -j2 sluice >"$OUT/build-sluice.log" 2>&1 ||
      SLUICE_BUILD_ERROR="sluice did not build (see $OUT/build-sluice.log)"
  else
    SLUICE_BUILD_ERROR="the tree did not configure (see $OUT/cmake.log)"
  fi
  if [ $bench_built = 0 ]; then
    # The whole tree may be mid-change; the harness alone still builds.
    log "building sluice-bench standalone (bench/standalone) in $BUILD-bench"
    record_cmd "cmake -S bench/standalone -B $BUILD-bench -G Ninja && ninja -C $BUILD-bench -j2 sluice-bench"
    cmake -S "$BENCH/standalone" -B "$BUILD-bench" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      >"$OUT/cmake-bench.log" 2>&1
    ninja -C "$BUILD-bench" -j2 sluice-bench >"$OUT/build-bench-standalone.log" 2>&1 || {
      cat "$OUT/build-bench-standalone.log" >&2; log "sluice-bench does not build"; exit 1; }
    BENCH_BIN=$BUILD-bench/sluice-bench
  fi
else
  [ -x "$BENCH_BIN" ] || BENCH_BIN=$BUILD-bench/sluice-bench
fi
[ -x "$BENCH_BIN" ] || { log "no sluice-bench binary"; exit 1; }
[ -x "$SLUICE_BIN" ] || SLUICE_BUILD_ERROR=${SLUICE_BUILD_ERROR:-"no $SLUICE_BIN"}

# --- (c) servers -----------------------------------------------------------------
FORCE_LOOPBACK=$BENCH/force-loopback.js
SERVER_PID=""
SERVER_LOG=""

start_server() {  # start_server TARGET PORT: sets SERVER_PID, measures cold start
  local target=$1 port=$2 dir=$OUT/$1
  mkdir -p "$dir"
  SERVER_LOG=$dir/server.log
  local -a cmd env=()
  case "$target" in
    sluice|sluice-fsync-os)
      rm -rf "$dir/data"; mkdir -p "$dir/data"
      cmd=("$SLUICE_BIN" serve --host 127.0.0.1 --port "$port" --data-dir "$dir/data"
           --stream-transition-ms 0 --table-transition-ms 0)
      # The default acknowledges after fdatasync; the peers keep data in memory.
      [ "$target" = sluice-fsync-os ] && cmd+=(--fsync os) ;;
    kinesalite)
      # kinesalite's CLI has no --host: without the preload it listens on all interfaces.
      cmd=(node -r "$FORCE_LOOPBACK" "$BENCH/node_modules/kinesalite/cli.js" --port "$port"
           --createStreamMs 0 --deleteStreamMs 0 --updateStreamMs 0 --shardLimit 1000) ;;
    dynalite)
      # --path: LevelDB on disk, so it persists too (but it does not fsync each
      # write: its acknowledgements survive a crash of dynalite, not of the OS).
      rm -rf "$dir/data"; mkdir -p "$dir/data"
      cmd=(node -r "$FORCE_LOOPBACK" "$BENCH/node_modules/dynalite/cli.js" --port "$port"
           --path "$dir/data" --createTableMs 0 --deleteTableMs 0 --updateTableMs 0) ;;
    kinesis-mock)
      env=(KINESIS_MOCK_PLAIN_PORT="$port" KINESIS_MOCK_TLS_PORT="$(free_port)"
           KINESIS_MOCK_CERT_PATH="$BENCH/node_modules/kinesis-local/server.json"
           CREATE_STREAM_DURATION=0ms DELETE_STREAM_DURATION=0ms
           UPDATE_SHARD_COUNT_DURATION=50ms SHARD_LIMIT=1000 LOG_LEVEL=WARN)
      cmd=(node -r "$FORCE_LOOPBACK" "$BENCH/node_modules/kinesis-local/main.js") ;;
    nginx)
      mkdir -p "$dir/nginx"
      cat >"$dir/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/nginx/body;
  proxy_temp_path $dir/nginx/proxy;
  fastcgi_temp_path $dir/nginx/fastcgi;
  uwsgi_temp_path $dir/nginx/uwsgi;
  scgi_temp_path $dir/nginx/scgi;
  keepalive_requests 10000000;
  keepalive_timeout 75s;
  client_max_body_size 16m;
  server {
    listen 127.0.0.1:$port;
    default_type application/x-amz-json-1.1;
    location / {
      return 200 '{"FailedRecordCount":0,"Records":[],"SequenceNumber":"0","ShardId":"shardId-000000000000"}';
    }
  }
}
EOF
      cmd=("$NGINX" -p "$dir/nginx" -c "$dir/nginx/nginx.conf" -g 'daemon off;') ;;
  esac
  record_cmd "${env[*]} $(printf '%q ' "${cmd[@]}")"
  local t0 probe=() probe_op=ListStreams
  [ "$target" = dynalite ] && probe=(--dynamodb) probe_op=ListTables
  t0=$(date +%s%N)
  env "${env[@]}" "${cmd[@]}" >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  if ! "$BENCH_BIN" wait-ready "${probe[@]}" --endpoint "http://127.0.0.1:$port" --since-epoch-ns "$t0" \
        --duration 120 --label "$target" >>"$RESULTS" 2>>"$OUT/bench.log"; then
    note "$target" start-failed message "did not answer $probe_op within 120 s (log: $SERVER_LOG)"
    tail -5 "$SERVER_LOG" >&2 || true
    stop_pid "$SERVER_PID"
    return 1
  fi
  ss -ltnp 2>/dev/null | grep -E "pid=$SERVER_PID," | grep -vqE '127\.0\.0\.1:|\[::1\]:' && {
    log "$target listens outside loopback: stopping it"; stop_pid "$SERVER_PID"; return 1; }
  return 0
}

bench() {  # bench TARGET ARGS...: one sluice-bench invocation, JSON to results
  local target=$1; shift
  record_cmd "sluice-bench $* --label $target"
  log "$target: sluice-bench $*"
  "$BENCH_BIN" "$@" --label "$target" >>"$RESULTS" 2> >(tee -a "$OUT/bench.log" >&2) || {
    log "$target: sluice-bench $1 reported a failure"; return 1; }
}

# Scenario parameters per target. kinesis-mock manages only hundreds of
# records/s, so it gets shorter runs and a lower put-get rate.
# PutRecord runs PUTREC_RUNS times per target and the table shows the median
# run: on a shared VM one run can be off by 15% either way.
# DynamoDB: PutItem and GetItem once, the conditional UpdateItem (the target's
# scenario) DDB_UPDATE_RUNS times, median shown.
if [ $QUICK = 1 ]; then
  INGEST_S=5 PUTREC_S=5 PUTREC_RUNS=1 PUTGET_S=5 RATE=200
  DDB_S=2 DDB_UPDATE_RUNS=1 DDB_ITEMS=1000
else
  INGEST_S=${BENCH_INGEST_S:-20} PUTREC_S=${BENCH_PUTRECORD_S:-10} PUTREC_RUNS=${BENCH_PUTRECORD_RUNS:-3}
  PUTGET_S=${BENCH_PUTGET_S:-10} RATE=${BENCH_PUTGET_RATE:-200}
  DDB_S=${BENCH_DDB_S:-10} DDB_UPDATE_RUNS=${BENCH_DDB_UPDATE_RUNS:-3} DDB_ITEMS=${BENCH_DDB_ITEMS:-10000}
fi

putrecord_runs() {  # putrecord_runs TARGET ARGS...: PUTREC_RUNS sluice-bench putrecord runs
  local target=$1 i ok=0; shift
  for i in $(seq "$PUTREC_RUNS"); do bench "$target" putrecord "$@" || ok=1; done
  return $ok
}

ddb_runs() {  # ddb_runs TARGET ARGS...: ddb-put, ddb-get, then DDB_UPDATE_RUNS ddb-update runs
  local target=$1 i ok=0; shift
  bench "$target" ddb-put,ddb-get "$@" --duration "$DDB_S" --items "$DDB_ITEMS" || ok=1
  for i in $(seq "$DDB_UPDATE_RUNS"); do bench "$target" ddb-update "$@" --duration "$DDB_S" || ok=1; done
  return $ok
}

run_target() {
  local target=$1 port
  port=$(free_port)
  local ep=(--endpoint "http://127.0.0.1:$port")
  log "=== $target on 127.0.0.1:$port"
  start_server "$target" "$port" || return 1
  local pid=$SERVER_PID ok=0
  case "$target" in
    nginx)
      note nginx params text "fixed 200 answer, request bodies read and discarded; ingest $INGEST_S s, PutRecord $PUTREC_S s"
      bench nginx ingest "${ep[@]}" --no-create --ignore-body --stream ceiling --duration "$INGEST_S" || ok=1
      putrecord_runs nginx "${ep[@]}" --no-create --ignore-body --stream ceiling --duration "$PUTREC_S" || ok=1 ;;
    kinesis-mock)
      local is=$(( INGEST_S / 2 )) ps=$(( PUTREC_S * 2 / 3 )) rate=50
      note kinesis-mock params text "shorter runs: ingest $is s, PutRecord $ps s, put-get $rate records/s for $PUTGET_S s (it manages only hundreds of records/s)"
      bench kinesis-mock ingest,drain "${ep[@]}" --duration "$is" --rss-pid "$pid" || ok=1
      putrecord_runs kinesis-mock "${ep[@]}" --duration "$ps" || ok=1
      bench kinesis-mock put-get "${ep[@]}" --duration "$PUTGET_S" --rate "$rate" || ok=1 ;;
    dynalite)
      note dynalite params text "DynamoDB only: --path (LevelDB on disk; it does not fsync each write, so its acknowledgements are not durable across an OS crash), PutItem/GetItem $DDB_S s, conditional UpdateItem $DDB_UPDATE_RUNS × $DDB_S s"
      ddb_runs dynalite "${ep[@]}" || ok=1 ;;
    *)
      local extra=""
      [ "$target" = sluice ] && extra="--fsync always (default): acknowledged after fdatasync; "
      [ "$target" = sluice-fsync-os ] && extra="--fsync os: acknowledged after write(2), like the in-memory peers not durable across an OS crash; "
      note "$target" params text "${extra}ingest $INGEST_S s, PutRecord $PUTREC_S s, put-get $RATE records/s for $PUTGET_S s"
      bench "$target" ingest,drain "${ep[@]}" --duration "$INGEST_S" --rss-pid "$pid" || ok=1
      putrecord_runs "$target" "${ep[@]}" --duration "$PUTREC_S" || ok=1
      bench "$target" put-get "${ep[@]}" --duration "$PUTGET_S" --rate "$RATE" || ok=1
      ddb_runs "$target" "${ep[@]}" || ok=1 ;;
  esac
  stop_pid "$pid"
  rm -rf "$OUT/$target/data"
  return $ok
}

# --- (d) run -----------------------------------------------------------------
node_ver=$(node --version 2>/dev/null || echo none)
pkg_ver() { node -p "require('$BENCH/node_modules/$1/package.json').version" 2>/dev/null || echo "?"; }
{
  echo "{\"scenario\":\"machine\",\"nproc\":$(json_str "$(nproc)"),\"cpu\":$(json_str "$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"),\"memory\":$(json_str "$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"),\"kernel\":$(json_str "$(uname -r)"),\"date\":$(json_str "$(date -u '+%Y-%m-%d %H:%M UTC')"),\"load_before\":$(json_str "$(cut -d' ' -f1-3 /proc/loadavg)"),\"compiler\":$(json_str "$(c++ --version 2>/dev/null | head -1)"),\"node\":$(json_str "$node_ver")}"
} >>"$RESULTS"

FAILED=0
T_START=$(date +%s)
SLUICE_VERSION="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo 'no commit')"
[ -n "$(git -C "$ROOT" status --porcelain -- src 2>/dev/null)" ] && SLUICE_VERSION+=" + uncommitted changes"
for target in sluice sluice-fsync-os kinesalite kinesis-mock dynalite nginx; do
  wants "$target" || continue
  case "$target" in
    sluice|sluice-fsync-os)
      note "$target" version text "$SLUICE_VERSION"
      if [ -n "$SLUICE_BUILD_ERROR" ]; then
        note "$target" pending message "$SLUICE_BUILD_ERROR"; log "$target: pending ($SLUICE_BUILD_ERROR)"
        FAILED=1; continue
      fi ;;
    kinesalite) note kinesalite version text "$(pkg_ver kinesalite) (in memory, node $node_ver)" ;;
    kinesis-mock) note kinesis-mock version text "$(pkg_ver kinesis-local) (kinesis-local, node $node_ver)" ;;
    dynalite) note dynalite version text "$(pkg_ver dynalite) (--path: LevelDB, no fsync per write; node $node_ver)" ;;
    nginx) note nginx version text "$("$NGINX" -v 2>&1 | sed 's/^nginx version: //')" ;;
  esac
  run_target "$target" || FAILED=1
done
echo "{\"scenario\":\"run\",\"seconds\":$(( $(date +%s) - T_START )),\"load_after\":$(json_str "$(cut -d' ' -f1-3 /proc/loadavg)"),\"quick\":$QUICK}" >>"$RESULTS"

# --- (e) report ----------------------------------------------------------------
render=(python3 "$BENCH/render_results.py" "$RESULTS" --commands "$COMMANDS")
if [ $UPDATE = 1 ]; then
  "${render[@]}" --update "$ROOT/BENCHMARKS.md"
  log "BENCHMARKS.md updated (raw results: $RESULTS)"
else
  "${render[@]}"
  log "raw results: $RESULTS"
fi
# The DynamoDB target (issue 14), checked when sluice and dynalite were both
# measured (not in --quick: a short run on a shared CI machine says nothing
# about a p99).
if [ $QUICK = 0 ] && wants sluice && wants dynalite; then
  if ! python3 "$BENCH/render_results.py" "$RESULTS" --check-targets; then
    log "DynamoDB target missed (see above)"
    FAILED=1
  fi
fi
exit $FAILED
