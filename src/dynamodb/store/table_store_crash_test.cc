// Kill -9 while writing: a child process runs conditional read-modify-write
// bodies and multi-item bodies against a store, reporting each acknowledged
// write through a pipe; the parent SIGKILLs it at a random point, reopens the
// database, and checks that every acknowledged write is there, that no body
// that failed left anything, and that no multi-item body is half-applied.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "dynamodb/store/store_test_util.h"
#include "dynamodb/store/table_store.h"

namespace sluice::dynamodb::store {
namespace {

using testing::Key;
using testing::TempDir;

constexpr int kCounters = 8;
constexpr int kWriterThreads = 8;
constexpr IndexId kValueIndex = 1;

enum AckKind : uint32_t { kCounter = 1, kTxnCommitted = 2, kTxnFailed = 3 };

// One acknowledgement, written whole by the writer thread (PIPE_BUF atomic).
struct Ack {
  uint32_t kind;
  uint32_t id;
  int64_t value;
};

std::string Padded(int64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%016lld", static_cast<long long>(v));
  return buf;
}

void Send(int fd, Ack ack) {
  if (::write(fd, &ack, sizeof(ack)) != sizeof(ack)) ::_exit(3);
}

// The child: writes until it is killed. Never returns.
// Odd rounds run with SyncPolicy::kOs: a process crash must not lose an
// acknowledged write there either (the WAL is in the page cache).
[[noreturn]] void RunChild(const std::string& db, int round, int fd) {
  TableStoreOptions o;
  o.path = db;
  o.sync = round % 2 == 0 ? SyncPolicy::kAlways : SyncPolicy::kOs;
  auto opened = TableStore::Open(o);
  if (!opened.ok()) ::_exit(2);
  TableStore& store = **opened;
  TableId table = 0;
  auto tables = store.ListTables();
  if (!tables.ok()) ::_exit(2);
  if (tables->empty()) {
    Status st = store.WriteAndWait([&](WriteTxn& txn) {
      auto id = txn.CreateTable("r", "crash", "{}");
      if (!id.ok()) return id.status();
      table = *id;
      return Status::Ok();
    });
    if (!st.ok()) ::_exit(2);
  } else {
    table = tables->front().id;
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriterThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(static_cast<uint32_t>(round * 1000 + t));
      for (uint32_t seq = 0;; ++seq) {
        if (rng() % 2 == 0) {
          // A conditional read-modify-write, as a lease renewal: read the
          // counter, then write value + 1 only if it is still the value
          // read (another thread may have moved it: the condition fails).
          // The index entry (the value) moves with the item.
          uint32_t c = rng() % kCounters;
          PrimaryKey key = Key("counter-" + std::to_string(c));
          auto read = store.Get(table, key);
          if (!read.ok()) ::_exit(5);
          int64_t expected = *read ? std::stoll(**read) : 0;
          Status st = store.WriteAndWait([&](WriteTxn& txn) -> Status {
            auto item = txn.Get(table, key);
            if (!item.ok()) return item.status();
            int64_t v = *item ? std::stoll(**item) : 0;
            if (v != expected) return Status::FailedPrecondition("ConditionalCheckFailed");
            IndexKey entry{kValueIndex, "counters", Padded(v + 1) + "-" + std::to_string(c), 1};
            return txn.Put(table, key, std::to_string(v + 1), c, {&entry, 1}, std::nullopt);
          });
          if (st.ok()) {
            Send(fd, Ack{kCounter, c, expected + 1});  // durable: WriteAndWait saw Ok
          } else if (st.code() != StatusCode::kFailedPrecondition) {
            ::_exit(4);
          }
        } else {
          // A multi-item body (TransactWriteItems); every fifth one fails its
          // condition after writing, and must leave nothing.
          uint32_t id = static_cast<uint32_t>(round) << 24 | static_cast<uint32_t>(t) << 20 | (seq & 0xFFFFF);
          bool fail = rng() % 5 == 0;
          Status st = store.WriteAndWait([&](WriteTxn& txn) -> Status {
            for (const char* part : {"a", "b", "c"}) {
              SLUICE_RETURN_IF_ERROR(
                  txn.Put(table, Key("txn-" + std::to_string(id), part), std::to_string(id), id, {}, std::nullopt));
            }
            if (fail) return Status::FailedPrecondition("TransactionCanceled");
            return Status::Ok();
          });
          if (st.ok()) {
            Send(fd, Ack{kTxnCommitted, id, 0});
          } else if (st.code() == StatusCode::kFailedPrecondition) {
            Send(fd, Ack{kTxnFailed, id, 0});
          } else {
            ::_exit(4);
          }
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  ::_exit(0);
}

struct Expectations {
  std::map<uint32_t, int64_t> counter_floor;  // highest acknowledged value
  std::set<uint32_t> committed;
  std::set<uint32_t> failed;
};

void Verify(const std::string& db, const Expectations& want) {
  TableStoreOptions o;
  o.path = db;
  auto opened = TableStore::Open(o);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  TableStore& store = **opened;
  auto tables = store.ListTables();
  ASSERT_TRUE(tables.ok());
  ASSERT_EQ(tables->size(), 1u);
  TableId table = tables->front().id;

  std::map<uint32_t, int64_t> counters;
  std::map<std::string, std::set<std::string>> txn_parts;
  ASSERT_TRUE(store
                  .Scan(table, kPrimary, 0, uint64_t{1} << 32, std::nullopt,
                        [&](const Row& r) {
                          std::string hash(r.hash);
                          if (hash.rfind("counter-", 0) == 0) {
                            counters[static_cast<uint32_t>(std::stoul(hash.substr(8)))] =
                                std::stoll(std::string(r.item));
                          } else {
                            EXPECT_EQ(hash.substr(4), std::string(r.item));
                            txn_parts[hash.substr(4)].insert(std::string(r.range));
                          }
                          return true;
                        })
                  .ok());

  for (const auto& [c, floor] : want.counter_floor) {
    EXPECT_GE(counters[c], floor) << "counter " << c << " lost an acknowledged increment";
  }
  // Each counter's index entry is its current value: item and index entry
  // were written together.
  std::set<std::string> entries;
  ASSERT_TRUE(store
                  .Query(table, kValueIndex, "counters", {}, Direction::kForward, std::nullopt,
                         [&](const Row& r) {
                           entries.insert(std::string(r.index_range));
                           return true;
                         })
                  .ok());
  std::set<std::string> expected_entries;
  for (const auto& [c, v] : counters) expected_entries.insert(Padded(v) + "-" + std::to_string(c));
  EXPECT_EQ(entries, expected_entries);

  for (const auto& [id, parts] : txn_parts) {
    EXPECT_EQ(parts.size(), 3u) << "transaction " << id << " half-applied";
  }
  for (uint32_t id : want.committed) {
    EXPECT_EQ(txn_parts.count(std::to_string(id)), 1u) << "acknowledged transaction " << id << " missing";
  }
  for (uint32_t id : want.failed) {
    EXPECT_EQ(txn_parts.count(std::to_string(id)), 0u) << "failed transaction " << id << " left items";
  }
}

// SIGKILLs and reaps the child unless it was reaped already (a failed
// assertion must not leave a writer running).
struct ChildGuard {
  pid_t pid;
  ~ChildGuard() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
};

TEST(TableStoreCrash, KillNineKeepsEveryAcknowledgedWriteAndNoHalfTransaction) {
  TempDir dir;
  std::random_device seed_source;
  uint32_t seed = seed_source();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  Expectations want;
  for (int round = 0; round < 4; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      RunChild(dir.db(), round, fds[1]);
    }
    ChildGuard guard{pid};
    ::close(fds[1]);
    // Kill after a random number of acknowledgements.
    size_t kill_after = 20 + rng() % 300;
    size_t acks = 0;
    bool killed = false;
    Ack ack;
    for (;;) {
      ssize_t n = ::read(fds[0], &ack, sizeof(ack));
      if (n == 0) break;  // the child is gone and the pipe drained
      if (n < 0 && errno == EINTR) continue;
      ASSERT_EQ(n, static_cast<ssize_t>(sizeof(ack)));
      // Every ack read counts, also those read after the kill: the child
      // sent each only after its write was committed.
      switch (ack.kind) {
        case kCounter: {
          int64_t& floor = want.counter_floor[ack.id];
          floor = std::max(floor, ack.value);
          break;
        }
        case kTxnCommitted: want.committed.insert(ack.id); break;
        case kTxnFailed: want.failed.insert(ack.id); break;
        default: FAIL() << "bad ack kind " << ack.kind;
      }
      if (++acks == kill_after && !killed) {
        ASSERT_EQ(::kill(pid, SIGKILL), 0);
        killed = true;
      }
    }
    ::close(fds[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    guard.pid = -1;
    ASSERT_TRUE(killed) << "the child stopped by itself, status " << status;
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
    Verify(dir.db(), want);
    if (HasFatalFailure() || HasFailure()) return;
  }
  EXPECT_FALSE(want.committed.empty());
  EXPECT_FALSE(want.counter_floor.empty());
}

}  // namespace
}  // namespace sluice::dynamodb::store
