#include "server/serve.h"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include "auth/verifier.h"
#include "dynamodb/catalog.h"       // DynamoDB API
#include "dynamodb/json_service.h"  // DynamoDB API
#include "firehose/catalog.h"       // Firehose API
#include "firehose/engine/engine.h"
#include "firehose/json_service.h"  // Firehose API
#include "http/server.h"
#include "http/tls_certificate.h"
#include "io/dir_lock.h"
#include "io/file_util.h"
#include "kinesis/catalog.h"
#include "kinesis/json_service.h"
#include "objstore/local_store.h"  // S3
#include "objstore/s3_store.h"
#include "s3api/s3_api.h"  // S3
#include "server/router.h"
#include "server/transport_errors.h"
#include "storage/data_quota.h"
#include "storage/fd_cache.h"

namespace sluice::server {

namespace {

// Connections and shard files share the descriptor table: raise the soft
// limit to the hard one, and warn when it cannot hold max_connections.
// Returns the soft limit (0 when unknown, RLIM_INFINITY as is).
rlim_t RaiseFileLimit(int max_connections) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
    getrlimit(RLIMIT_NOFILE, &lim);
  }
  constexpr rlim_t kReserve = 256;  // segment files, databases, the listener
  if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < static_cast<rlim_t>(max_connections) + kReserve)
    std::cerr << "sluice: warning: open-file limit " << lim.rlim_cur << " is low for --max-connections "
              << max_connections << "\n";
  return lim.rlim_cur;
}

// Segment descriptors the FdCache keeps open: what RLIMIT_NOFILE leaves
// after the connections and a reserve (listeners, index.db, spools, files
// being written), at least 64 and at most 4096. Idle shards beyond that are
// closed and re-opened on use, which costs an open(2).
size_t DerivedOpenFiles(rlim_t soft_limit, int max_connections) {
  constexpr rlim_t kMax = 4096, kMin = 64, kReserve = 256;
  if (soft_limit == 0 || soft_limit == RLIM_INFINITY) return kMax;
  rlim_t taken = static_cast<rlim_t>(max_connections) + kReserve;
  rlim_t left = soft_limit > taken ? soft_limit - taken : 0;
  return static_cast<size_t>(std::clamp(left, kMin, kMax));
}

}  // namespace

int Serve(const ServeOptions& options) {
  auto started = std::chrono::steady_clock::now();
  // Block the stop signals in every thread; one thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  const std::shared_ptr<const auth::Verifier>& verifier = options.verifier;

  // ---- Resource bounds: descriptors and the data quota (docs/RELIABILITY.md)
  rlim_t file_limit = RaiseFileLimit(options.max_connections);
  size_t open_files = options.max_open_files > 0 ? static_cast<size_t>(options.max_open_files)
                                                 : DerivedOpenFiles(file_limit, options.max_connections);
  storage::FdCache::Default().SetMaxOpen(open_files);
  kinesis::CatalogOptions copts;
  std::error_code ec;
  copts.data_dir = std::filesystem::absolute(options.data_dir, ec);
  // One server per data directory: two would hand out the same sequence
  // numbers and overwrite each other's records. Held until Serve returns
  // (declared before everything that writes there, so released last).
  if (Status st = io::CreateDirectoriesDurably(copts.data_dir); !st.ok()) {
    std::cerr << "sluice: cannot create data directory " << copts.data_dir << ": " << st.ToString() << "\n";
    return 1;
  }
  auto data_dir_lock = io::DirLock::Acquire(copts.data_dir / "LOCK", "the data directory " + copts.data_dir.string());
  if (!data_dir_lock.ok()) {
    std::cerr << "sluice: not starting: " << data_dir_lock.status().message() << "\n";
    return 1;
  }
  storage::DataQuota& quota = storage::DataQuota::Default();
  quota.SetLimit(options.max_data_bytes);
  quota.Recount(copts.data_dir);
  quota.StartRecounting(copts.data_dir, std::chrono::seconds(10));
  copts.max_total_shards = options.max_total_shards;
  // ---- end Resource bounds
  copts.transition_ms = options.stream_transition_ms;
  copts.shard_limit = options.shard_limit;
  copts.account = options.account_id;
  copts.parallel_syncs = options.parallel_syncs;
  copts.retention_hour_ms = options.retention_hour_ms;
  copts.retention_check_ms = options.retention_check_ms;
  copts.throughput = {options.throughput_limits, options.fault_put_fraction, options.fault_seed};
  copts.log_options.segment_max_bytes = options.segment_bytes;
  copts.log_options.fsync = options.fsync;
  kinesis::StreamCatalog catalog(copts);
  if (Status st = catalog.Open(); !st.ok()) {
    std::cerr << "sluice: cannot open data directory " << copts.data_dir << ": " << st.ToString() << "\n";
    return 1;
  }

  Router router(RouterOptions{options.default_region, verifier});
  router.AddJsonService(kinesis::Service(catalog));

  // ---- S3: the embedded object store under <data-dir>/s3 and the S3 REST API
  // (requests without X-Amz-Target). `local_store` is also the embedded
  // destination for Firehose.
  objstore::LocalStoreOptions s3_store_options;
  s3_store_options.root = copts.data_dir / "s3";
  s3_store_options.fsync = options.fsync == storage::FsyncPolicy::kAlways;
  s3_store_options.default_region = options.default_region;
  auto opened_store = objstore::LocalStore::Open(s3_store_options);
  if (!opened_store.ok()) {
    std::cerr << "sluice: cannot open object store " << s3_store_options.root << ": "
              << opened_store.status().ToString() << "\n";
    return 1;
  }
  std::shared_ptr<objstore::LocalStore> local_store = opened_store.value();
  s3api::S3ApiOptions s3_api_options;
  if (!options.host.empty() && options.host.find_first_not_of("0123456789.:[]") != std::string::npos &&
      options.host != "localhost")
    s3_api_options.hosts.push_back(options.host);
  s3_api_options.verifier = verifier;
  auto s3_api = std::make_shared<s3api::S3Api>(local_store, s3_api_options);
  router.SetRestHandler("s3", [s3_api](wire::Request req, wire::Responder respond) {
    s3_api->Handle(std::move(req), std::move(respond));
  });
  // ---- end S3
  // ---- Firehose API: delivery streams under <data-dir>/firehose
  // (X-Amz-Target: Firehose_20150804.*). Declared after `catalog` (it reads
  // Kinesis sources through it) and stopped explicitly below, before the HTTP
  // server is destroyed. A DeliveryListener (the delivery engine) must be set
  // with SetListener() before Open(), which announces the ACTIVE streams.
  firehose::DeliveryCatalogOptions fh_options;
  fh_options.data_dir = copts.data_dir;
  fh_options.transition_ms = options.stream_transition_ms;
  fh_options.spool_options = copts.log_options;
  fh_options.account = options.account_id;
  // ---- Firehose delivery: one pipeline per ACTIVE delivery stream, writing
  // to the embedded store or, with --firehose-s3-endpoint, an external S3.
  firehose::engine::EngineOptions engine_options;
  engine_options.kinesis = &catalog;
  engine_options.interval_scale = options.firehose_interval_scale;
  engine_options.source_poll_ms = options.firehose_source_poll_ms;
  if (options.firehose_s3_endpoint.empty()) {
    engine_options.store = local_store;
  } else {
    objstore::S3StoreOptions s3_options;
    s3_options.endpoint_url = options.firehose_s3_endpoint;
    auto external = objstore::S3Store::Create(s3_options);
    if (!external.ok()) {
      std::cerr << "sluice: --firehose-s3-endpoint: " << external.status().ToString() << "\n";
      return 1;
    }
    engine_options.store = std::move(external).value();
  }
  firehose::engine::DeliveryEngine engine(engine_options);
  // ---- end Firehose delivery
  firehose::DeliveryCatalog delivery_catalog(fh_options, &catalog);
  delivery_catalog.SetListener(&engine);
  if (Status st = delivery_catalog.Open(); !st.ok()) {
    std::cerr << "sluice: cannot open delivery streams in " << copts.data_dir << ": " << st.ToString() << "\n";
    return 1;
  }
  router.AddJsonService(firehose::Service(delivery_catalog));
  // ---- end Firehose API
  // ---- DynamoDB API: tables in <data-dir>/dynamodb/tables.db
  // (X-Amz-Target: DynamoDB_20120810.*).
  dynamodb::CatalogOptions table_options;
  table_options.data_dir = copts.data_dir;
  table_options.account = options.account_id;
  table_options.transition_ms = options.table_transition_ms;
  table_options.ttl_sweep_ms = options.ttl_sweep_ms;
  table_options.sync = options.fsync == storage::FsyncPolicy::kAlways ? dynamodb::store::SyncPolicy::kAlways
                                                                      : dynamodb::store::SyncPolicy::kOs;
  dynamodb::TableCatalog tables(table_options);
  if (Status st = tables.Open(); !st.ok()) {
    std::cerr << "sluice: cannot open DynamoDB tables in " << copts.data_dir << ": " << st.ToString() << "\n";
    return 1;
  }
  router.AddJsonService(dynamodb::Service(tables));
  // ---- end DynamoDB API
  http::ServerOptions hopts;
  hopts.host = options.host;
  hopts.port = options.port;
  hopts.threads = options.threads;
  hopts.max_body_bytes = options.max_body_bytes;
  hopts.max_header_bytes = options.max_header_bytes;
  hopts.max_connections = options.max_connections;
  hopts.max_inflight_bytes = options.max_inflight_bytes;
  hopts.header_timeout = std::chrono::milliseconds(options.header_timeout_ms);
  hopts.idle_timeout = std::chrono::milliseconds(options.idle_timeout_ms);
  hopts.body_timeout = std::chrono::milliseconds(options.body_timeout_ms);
  hopts.min_body_rate = options.min_body_rate;
  hopts.transport_error = TransportErrorResponse;
  hopts.refusal_headers = {"X-Amz-Target"};  // the router's service selector
  hopts.tls_port = options.tls_port;
  if (options.tls_port >= 0) {
    hopts.tls_cert_file = options.tls_cert;
    hopts.tls_key_file = options.tls_key;
    if (options.tls_cert.empty()) {
      std::filesystem::path dir = copts.data_dir / "tls";
      hopts.tls_cert_file = (dir / "cert.pem").string();
      hopts.tls_key_file = (dir / "key.pem").string();
      Status made = io::CreateDirectoriesDurably(dir);
      if (made.ok()) made = http::EnsureSelfSignedCertificate(hopts.tls_cert_file, hopts.tls_key_file, {options.host});
      if (!made.ok()) {
        std::cerr << "sluice: TLS certificate: " << made.message() << "\n";
        return 1;
      }
    }
  }
  http::Server server(hopts, [&router](wire::Request req, wire::Responder respond) {
    router.Handle(std::move(req), std::move(respond));
  });
  auto port = server.Listen();
  if (!port.ok()) {
    std::cerr << "sluice: " << port.status().message() << "\n";
    return 1;
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  std::string host = options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
  std::cout << "sluice listening on http://" << host << ":" << *port << "\n";
  if (server.TlsPort())
    std::cout << "sluice listening on https://" << host << ":" << server.TlsPort() << " (certificate "
              << hopts.tls_cert_file << ")\n";
  std::cout << "data directory: " << copts.data_dir.string() << "\n"
            << "fsync: " << (options.fsync == storage::FsyncPolicy::kAlways ? "always" : "os")
            << ", stream transitions: " << options.stream_transition_ms << " ms, ready in " << ms << " ms\n"
            << "auth: " << options.auth_summary << std::endl;

  std::thread waiter([&server, stop_signals] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    server.Stop();
  });
  server.Run();
  // Run() also ends when the io threads finish for another reason; make sure
  // the waiter can exit.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  // No request handler runs any more. Finish the commits still queued: their
  // callbacks post replies into the (stopped, still alive) server.
  // ---- Firehose API: PutRecordBatch commits still queued reply into the
  // (stopped, still alive) server, like the Kinesis ones below.
  delivery_catalog.Stop();
  // ---- end Firehose API
  tables.Stop();  // queued item writes commit and answer first
  engine.Stop();  // pipelines; undelivered buffers are re-read from their sources next start
  catalog.Stop();
  quota.StopRecounting();
  std::cout << "sluice stopped" << std::endl;
  return 0;
}

}  // namespace sluice::server
