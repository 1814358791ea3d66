#include "dynamodb/store/read_pool.h"

#include <utility>

#include "dynamodb/store/schema.h"

namespace sluice::dynamodb::store {

ReadPool::Lease& ReadPool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    Return();
    pool_ = other.pool_;
    conn_ = std::move(other.conn_);
  }
  return *this;
}

void ReadPool::Lease::Return() {
  if (!conn_) return;
  std::lock_guard<std::mutex> lock(pool_->mu_);
  if (pool_->idle_.size() < pool_->max_idle_) pool_->idle_.push_back(std::move(conn_));
  conn_.reset();
}

ReadPool::ReadPool(std::string path, size_t max_idle) : path_(std::move(path)), max_idle_(max_idle) {}

Result<ReadPool::Lease> ReadPool::Acquire() const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Connection> conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(conn));
    }
  }
  auto conn = OpenReaderConnection(path_);
  if (!conn.ok()) return conn.status();
  return Lease(this, std::move(*conn));
}

}  // namespace sluice::dynamodb::store
