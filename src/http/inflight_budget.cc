#include "http/inflight_budget.h"

#include <iostream>
#include <utility>

namespace sluice::http {

bool InflightBudget::TryTake(uint64_t bytes) {
  uint64_t used = used_.load(std::memory_order_relaxed);
  do {
    if (bytes > limit_ || used > limit_ - bytes) {
      if (!refusing_.exchange(true, std::memory_order_relaxed))
        std::cerr << "sluice: " << used << " bytes of requests in flight (--max-inflight-bytes " << limit_
                  << "); refusing new ones (503, HTTP/2 REFUSED_STREAM) until some are answered" << std::endl;
      return false;
    }
  } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
  return true;
}

void InflightBudget::Give(uint64_t bytes) {
  uint64_t used = used_.fetch_sub(bytes, std::memory_order_relaxed) - bytes;
  if (used <= limit_ / 2 && refusing_.load(std::memory_order_relaxed))
    refusing_.store(false, std::memory_order_relaxed);
}

InflightHold& InflightHold::operator=(InflightHold&& other) noexcept {
  if (this != &other) {
    Reset();
    budget_ = other.budget_;
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

bool InflightHold::Grow(uint64_t bytes) {
  if (bytes == 0) return true;
  if (!budget_ || !budget_->TryTake(bytes)) return false;
  bytes_ += bytes;
  return true;
}

void InflightHold::Reset() {
  if (budget_ && bytes_) budget_->Give(bytes_);
  bytes_ = 0;
}

}  // namespace sluice::http
