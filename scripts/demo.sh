#!/usr/bin/env bash
# The main job, end to end on one machine: installs what is missing, builds,
# starts `sluice serve` on a temporary data directory and runs the pipeline
# against it with the unmodified aws CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh

data_dir=$(mktemp -d -t sluice-demo-XXXXXX)
log="$data_dir/serve.log"
build/src/sluice serve --port 0 --data-dir "$data_dir/data" --stream-transition-ms 200 >"$log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q "listening on" "$log" && break; sleep 0.05; done
endpoint=$(sed -n 's/^sluice listening on //p' "$log")
echo "== sluice serve at $endpoint (data in $data_dir/data)"

export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_DEFAULT_REGION=us-east-1
aws_k() { aws --endpoint-url "$endpoint" kinesis "$@"; }

aws_k create-stream --stream-name events --shard-count 2
aws_k wait stream-exists --stream-name events
echo "== stream 'events' is ACTIVE"
for i in $(seq 1 20); do
  payload=$(printf '{"event_id":"e-%03d","user":"u%d","value":%d,"ts":%s}' "$i" $((i % 5)) $((i * 7)) "$(date +%s%3N)")
  aws_k put-record --stream-name events --partition-key "u$((i % 5))" \
    --data "$payload" --query SequenceNumber --output text >/dev/null
done
echo "== produced 20 events"
for shard in $(aws_k list-shards --stream-name events --query 'Shards[].ShardId' --output text); do
  it=$(aws_k get-shard-iterator --stream-name events --shard-id "$shard" --shard-iterator-type TRIM_HORIZON \
       --query ShardIterator --output text)
  aws_k get-records --shard-iterator "$it" --output json | python3 -c '
import base64, json, sys
recs = json.load(sys.stdin)["Records"]
print("== %s: %d records" % (sys.argv[1], len(recs)))
for r in recs:
    print("   ", r["SequenceNumber"][-6:], base64.b64decode(r["Data"]).decode())' "$shard"
done
echo "== the data stays in $data_dir/data; the Firehose path and the Streams-vs-Firehose comparison come with 'sluice demo'"
