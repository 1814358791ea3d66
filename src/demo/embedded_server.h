// EmbeddedServer: a `sluice serve` child process of this same binary on a
// free loopback port, for `sluice demo` / `sluice compare` runs that bring
// their own server. Stopped (SIGTERM, then SIGKILL) when destroyed.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace sluice::demo {

class EmbeddedServer {
 public:
  // Starts the server over `data_dir` with `extra_args` and waits (up to 10 s)
  // until it prints where it listens.
  static Result<std::unique_ptr<EmbeddedServer>> Start(const std::string& data_dir,
                                                       const std::vector<std::string>& extra_args);
  ~EmbeddedServer();

  const std::string& endpoint() const { return endpoint_; }
  const std::string& data_dir() const { return data_dir_; }

 private:
  EmbeddedServer(pid_t pid, std::string endpoint, std::string data_dir)
      : pid_(pid), endpoint_(std::move(endpoint)), data_dir_(std::move(data_dir)) {}
  pid_t pid_;
  std::string endpoint_;
  std::string data_dir_;
};

}  // namespace sluice::demo
