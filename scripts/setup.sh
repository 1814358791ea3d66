#!/usr/bin/env bash
# Installs every Debian package the build, the tests and the demo need on a
# fresh Debian 12 machine. Safe to run again; it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev        # Beast/Asio HTTP server and client
  rapidjson-dev           # JSON reading and writing
  libssl-dev              # MD5, SHA-256, HMAC (SigV4), random bytes
  libcli11-dev            # command-line parsing
  libsqlite3-dev          # client checkpoints, S3 object index
  libjq-dev               # Firehose MetadataExtraction (JQ queries)
  libsnappy-dev           # Firehose Snappy / HADOOP_SNAPPY compression
  libcbor-dev             # the AWS CBOR protocol (Java SDK / KCL / KPL default for Kinesis)
  libnghttp2-dev          # HTTP/2 (h2c and TLS ALPN): the AWS SDK for JavaScript v3 Kinesis client needs it
  unzip python3-snappy    # tests read delivered objects with standard tools
  zlib1g-dev              # gzip/deflate
  libisal-dev             # fast CRC-32 (storage frames) and, later, deflate
  libjemalloc-dev         # the sluice binary's allocator (docs/dependencies.md)
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev   # the ASan+UBSan build and libFuzzer targets (scripts/fuzz.sh)
  clang-format-14 clang-tidy-14 # scripts/check-format.sh, scripts/check-tidy.sh
  chromium                # headless browser test of the HTML comparison report
  python3 curl procps openssl   # openssl: test certificates for the HTTPS client tests
)

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
updated=0
# apt-get install, running apt-get update once first.
apt_install() {
  if [ "$updated" -eq 0 ]; then
    $SUDO apt-get update -qq
    updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@"
}

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"

# The integration tests drive the server with unmodified boto3 and the aws CLI.
python3 -c "import boto3" 2>/dev/null || apt_install python3-boto3
command -v aws >/dev/null 2>&1 || apt_install awscli

# Node.js runs the independent peers: kinesalite (our clients are tested
# against it), s3rver (an external S3 for Firehose delivery tests),
# kinesis-mock (benchmarks) and dynalite (DynamoDB: benchmarks and
# comparison tests). Pinned in bench/package-lock.json.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi
if [ ! -f bench/node_modules/kinesalite/cli.js ] || [ ! -f bench/node_modules/s3rver/bin/s3rver.js ] ||
   [ ! -f bench/node_modules/kinesis-local/main.js ] || [ ! -f bench/node_modules/dynalite/cli.js ]; then
  (cd bench && npm ci --no-audit --no-fund --loglevel=error)
fi
# Independent JavaScript clients the integration tests use: the AWS SDK for
# JavaScript v3 (HTTP/2; Kinesis and DynamoDB with lib-dynamodb) and
# aws-kinesis-agg (the KPL aggregation format).
# Pinned in tests/js/package-lock.json.
if [ ! -f tests/js/node_modules/aws-kinesis-agg/index.js ] || [ ! -d tests/js/node_modules/@aws-sdk/client-kinesis ] \
   || [ ! -d tests/js/node_modules/@aws-sdk/client-dynamodb ] || [ ! -d tests/js/node_modules/@aws-sdk/lib-dynamodb ]; then
  (cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
fi
