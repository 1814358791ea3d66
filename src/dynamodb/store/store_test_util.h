// Helpers shared by the table store's unit tests (header-only; tests only).
#pragma once

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <string>

#include "dynamodb/store/table_store.h"

namespace sluice::dynamodb::store::testing {

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    path_ = std::filesystem::temp_directory_path() / ("sluice-ddbstore-test-" + std::to_string(::getpid()) + "-" +
                                                      std::to_string(now) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string db() const { return (path_ / "tables.db").string(); }

 private:
  std::filesystem::path path_;
};

// Holds the writer thread inside a body until Release(): everything written
// meanwhile queues up for the next batch, deterministically.
class WriterGate {
 public:
  // Queues the blocking body and returns once the writer is inside it.
  void Close(TableStore& store) {
    store.Write(
        [this](WriteTxn&) {
          entered_.set_value();
          release_future_.wait();
          return Status::Ok();
        },
        [](Status) {});
    entered_.get_future().wait();
  }
  void Release() { release_.set_value(); }

 private:
  std::promise<void> entered_;
  std::promise<void> release_;
  std::shared_future<void> release_future_ = release_.get_future().share();
};

inline PrimaryKey Key(std::string hash, std::string range = "") {
  return PrimaryKey{std::move(hash), std::move(range)};
}

}  // namespace sluice::dynamodb::store::testing
