# Sourced by the install tests: start_sluice BIN WORKDIR starts `BIN serve`
# on a free loopback port with its data in WORKDIR/data and sets ENDPOINT and
# SERVE_PID (stopped by stop_sluice); dummy AWS credentials for the clients.
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret AWS_REGION=us-east-1
unset AWS_PROFILE AWS_ENDPOINT_URL

start_sluice() {
  local bin=$1 work=$2
  "$bin" serve --host 127.0.0.1 --port 0 --data-dir "$work/data" >"$work/serve.log" 2>&1 &
  SERVE_PID=$!
  ENDPOINT=""
  for _ in $(seq 1 100); do
    ENDPOINT=$(sed -n 's/.*sluice listening on \(http:\/\/[^ :]*:[0-9]*\).*/\1/p' "$work/serve.log" | head -1)
    [ -n "$ENDPOINT" ] && return 0
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "sluice serve did not start; log:" >&2
  cat "$work/serve.log" >&2
  return 1
}

stop_sluice() {
  if [ -n "${SERVE_PID:-}" ]; then
    kill "$SERVE_PID" 2>/dev/null || true
    wait "$SERVE_PID" 2>/dev/null || true
    SERVE_PID=""
  fi
}
