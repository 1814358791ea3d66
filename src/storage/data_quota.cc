#include "storage/data_quota.h"

#include <string>
#include <system_error>

namespace sluice::storage {

namespace fs = std::filesystem;

namespace {
constexpr std::string_view kRefusalPrefix = "The server's data quota (--max-data-bytes ";
}

DataQuota::~DataQuota() { StopRecounting(); }

DataQuota& DataQuota::Default() {
  static DataQuota* quota = new DataQuota();  // never destroyed: writers may run at exit
  return *quota;
}

Status DataQuota::Charge(uint64_t bytes) {
  uint64_t limit = limit_.load(std::memory_order_relaxed);
  uint64_t used = used_.load(std::memory_order_relaxed);
  do {
    if (limit != 0 && (bytes > limit || used > limit - bytes)) {
      return Status::ResourceExhausted(std::string(kRefusalPrefix) + std::to_string(limit) +
                                       " bytes) is used up: " + std::to_string(used) +
                                       " bytes are stored and this write needs " + std::to_string(bytes) +
                                       " more. Writes are accepted again when retention or deletions free space.");
    }
  } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
  charged_.fetch_add(bytes, std::memory_order_relaxed);
  return Status::Ok();
}

void DataQuota::Release(uint64_t bytes) {
  released_.fetch_add(bytes, std::memory_order_relaxed);
  uint64_t used = used_.load(std::memory_order_relaxed);
  while (!used_.compare_exchange_weak(used, used > bytes ? used - bytes : 0, std::memory_order_relaxed)) {
  }
}

bool DataQuota::IsQuotaRefusal(const Status& status) {
  return status.code() == StatusCode::kResourceExhausted && status.message().starts_with(kRefusalPrefix);
}

void DataQuota::Recount(const fs::path& dir) {
  // Writes charged while the walk runs may or may not be seen by it: count
  // them on top (an overcount, corrected by the next recount).
  const uint64_t charged0 = charged_.load(std::memory_order_relaxed);
  const uint64_t released0 = released_.load(std::memory_order_relaxed);
  uint64_t total = 0;
  std::error_code ec;
  // recursive_directory_iterator does not follow directory symlinks by default.
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code fec;
    if (it->is_regular_file(fec) && !it->is_symlink(fec)) {
      uint64_t size = it->file_size(fec);
      if (!fec) total += size;
    }
  }
  uint64_t charged = charged_.load(std::memory_order_relaxed) - charged0;
  uint64_t released = released_.load(std::memory_order_relaxed) - released0;
  total += charged;
  used_.store(total > released ? total - released : 0, std::memory_order_relaxed);
}

void DataQuota::StartRecounting(const fs::path& dir, std::chrono::milliseconds period) {
  StopRecounting();
  MutexLock lock(mu_);
  stopping_ = false;
  thread_ = std::thread([this, dir, period] {
    MutexLock lock(mu_);
    for (;;) {
      const auto deadline = std::chrono::steady_clock::now() + period;
      while (!stopping_ && cv_.WaitUntil(mu_, deadline)) {
      }
      if (stopping_) return;
      lock.Unlock();
      Recount(dir);
      lock.Lock();
    }
  });
}

void DataQuota::StopRecounting() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.NotifyAll();
  if (thread_.joinable()) thread_.join();
}

}  // namespace sluice::storage
