// ReadPool: reader connections to the table store's database, lent to one
// thread at a time. WAL lets any number of them read beside the writer, each
// statement (or explicit read transaction) on one committed snapshot.
// Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "dynamodb/store/sqlite_db.h"

namespace sluice::dynamodb::store {

class ReadPool {
 public:
  // A borrowed connection, given back when the lease ends. Its statements
  // must be reset and any read transaction ended by then.
  class Lease {
   public:
    Lease(const ReadPool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { Return(); }

    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_.get(); }

   private:
    void Return();
    const ReadPool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  // Keeps at most `max_idle` connections open between uses.
  ReadPool(std::string path, size_t max_idle);

  // An idle connection, or a new one.
  Result<Lease> Acquire() const;

 private:
  std::string path_;
  size_t max_idle_;
  mutable std::mutex mu_;
  mutable std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace sluice::dynamodb::store
