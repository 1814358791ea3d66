#include "server/serve.h"

#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include "http/server.h"
#include "kinesis/catalog.h"
#include "kinesis/json_service.h"
#include "server/router.h"

namespace sluice::server {

int Serve(const ServeOptions& options) {
  auto started = std::chrono::steady_clock::now();
  // Block the stop signals in every thread; one thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  kinesis::CatalogOptions copts;
  std::error_code ec;
  copts.data_dir = std::filesystem::absolute(options.data_dir, ec);
  copts.transition_ms = options.stream_transition_ms;
  copts.shard_limit = options.shard_limit;
  copts.retention_hour_ms = options.retention_hour_ms;
  copts.retention_check_ms = options.retention_check_ms;
  copts.log_options.segment_max_bytes = options.segment_bytes;
  if (options.fsync == "always") {
    copts.log_options.fsync = storage::FsyncPolicy::kAlways;
  } else if (options.fsync == "os") {
    copts.log_options.fsync = storage::FsyncPolicy::kOsBuffered;
  } else {
    std::cerr << "sluice: --fsync must be 'always' or 'os'\n";
    return 2;
  }
  kinesis::StreamCatalog catalog(copts);
  if (Status st = catalog.Open(); !st.ok()) {
    std::cerr << "sluice: cannot open data directory " << copts.data_dir << ": " << st.ToString() << "\n";
    return 1;
  }

  Router router(RouterOptions{options.default_region});
  router.AddJsonService({"kinesis", "Kinesis_20131202", &protocol::ServiceModel::Kinesis(), kinesis::Implements,
                         [&catalog](std::string_view op, const std::string& region, const rapidjson::Value& in,
                                    protocol::Reply reply) { kinesis::Call(catalog, op, region, in, std::move(reply)); }});
  http::ServerOptions hopts;
  hopts.host = options.host;
  hopts.port = options.port;
  hopts.threads = options.threads;
  http::Server server(hopts, [&router](http::Request req, http::Responder respond) {
    router.Handle(std::move(req), std::move(respond));
  });
  auto port = server.Listen();
  if (!port.ok()) {
    std::cerr << "sluice: " << port.status().message() << "\n";
    return 1;
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  std::string host = options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
  std::cout << "sluice listening on http://" << host << ":" << *port << "\n"
            << "data directory: " << copts.data_dir.string() << "\n"
            << "fsync: " << options.fsync << ", stream transitions: " << options.stream_transition_ms
            << " ms, ready in " << ms << " ms" << std::endl;

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
  catalog.Stop();
  std::cout << "sluice stopped" << std::endl;
  return 0;
}

}  // namespace sluice::server
