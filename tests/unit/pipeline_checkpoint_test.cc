#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "sluice/pipeline/checkpoint_store.h"

namespace sluice::pipeline {
namespace {

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sluice-pipeline-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

std::unique_ptr<CheckpointStore> OpenOrDie(const std::string& path, CheckpointStoreOptions o = {}) {
  auto s = CheckpointStore::Open(path, o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

constexpr int64_t kLongAgo = 1'000'000;
const DedupWindowOptions kBigWindow{10'000'000, int64_t{1} << 50};

TEST(CheckpointStore, CommitThenReopenRestoresCheckpointsIdsAndState) {
  TempDir dir;
  const auto path = dir.File("cp.db");
  {
    auto store = OpenOrDie(path);
    DedupWindow w;
    EXPECT_FALSE(w.SeenOrInsert("evt-1", kLongAgo));
    EXPECT_FALSE(w.SeenOrInsert("evt-2", kLongAgo + 1));
    CommitRequest req;
    req.stream = "events";
    req.now_ms = kLongAgo + 5;
    req.checkpoints = {
        {"shardId-000000000001", "49590338271490256608559692538361571095921575989136588818", 0, false, 0},
        {"shardId-000000000000", "49590338271490256608559692538361571095921575989136588800", 0, true, 0}};
    req.state = {{"sink_offset", "1234"}};
    ASSERT_TRUE(store->Commit(req, &w).ok());
    EXPECT_FALSE(w.has_pending_changes());
  }
  auto store = OpenOrDie(path);
  auto cps = store->LoadCheckpoints("events");
  ASSERT_TRUE(cps.ok());
  ASSERT_EQ(cps->size(), 2u);
  EXPECT_EQ((*cps)[0].shard_id, "shardId-000000000000");  // ordered by shard id
  EXPECT_TRUE((*cps)[0].shard_finished);
  EXPECT_EQ((*cps)[1].sequence_number, "49590338271490256608559692538361571095921575989136588818");
  EXPECT_EQ((*cps)[1].sub_sequence_number, 0u);
  EXPECT_FALSE((*cps)[1].shard_finished);
  EXPECT_EQ((*cps)[1].updated_ms, kLongAgo + 5);
  auto one = store->LoadCheckpoint("events", "shardId-000000000001");
  ASSERT_TRUE(one.ok() && one->has_value());
  EXPECT_EQ((*one)->sequence_number, (*cps)[1].sequence_number);
  EXPECT_FALSE(store->LoadCheckpoint("events", "shardId-000000000009")->has_value());
  EXPECT_FALSE(store->LoadCheckpoint("other-stream", "shardId-000000000001")->has_value());
  EXPECT_EQ(store->LoadState("events", "sink_offset")->value_or(""), "1234");
  EXPECT_FALSE(store->LoadState("events", "nope")->has_value());

  auto w = store->LoadDedupWindow("events", {}, kLongAgo + 10);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->size(), 2u);
  EXPECT_TRUE(w->SeenOrInsert("evt-1", kLongAgo + 10));
  EXPECT_TRUE(w->SeenOrInsert("evt-2", kLongAgo + 10));
  EXPECT_FALSE(w->SeenOrInsert("evt-3", kLongAgo + 10));
  auto other = store->LoadDedupWindow("other-stream", {}, kLongAgo + 10);
  EXPECT_EQ(other->size(), 0u);
}

TEST(CheckpointStore, CheckpointOverwritesPerShardAndSubSequenceRoundTrips) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("cp.db"));
  for (int i = 1; i <= 3; ++i) {
    CommitRequest req;
    req.stream = "s";
    req.checkpoints = {{"shard-a", std::to_string(i * 10), static_cast<uint64_t>(i), false, 0}};
    ASSERT_TRUE(store->Commit(req).ok());
  }
  auto cp = store->LoadCheckpoint("s", "shard-a");
  EXPECT_EQ((*cp)->sequence_number, "30");
  EXPECT_EQ((*cp)->sub_sequence_number, 3u);
  EXPECT_EQ(store->LoadCheckpoints("s")->size(), 1u);
}

TEST(CheckpointStore, CrashBetweenCommitsLosesTheUncommittedCheckpointAndIdsTogether) {
  TempDir dir;
  const auto path = dir.File("cp.db");
  {
    auto store = OpenOrDie(path);
    DedupWindow w;
    w.SeenOrInsert("a", kLongAgo);
    w.SeenOrInsert("b", kLongAgo);
    CommitRequest req;
    req.stream = "s";
    req.checkpoints = {{"shard-0", "100", 0, false, 0}};
    ASSERT_TRUE(store->Commit(req, &w).ok());
    // The next batch is processed but the consumer "crashes" before Commit.
    w.SeenOrInsert("c", kLongAgo + 1);
    w.SeenOrInsert("d", kLongAgo + 1);
  }  // closed without committing
  auto store = OpenOrDie(path);
  EXPECT_EQ((*store->LoadCheckpoint("s", "shard-0"))->sequence_number, "100");
  auto w = store->LoadDedupWindow("s", {}, kLongAgo + 2);
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(w->Contains("a"));
  EXPECT_TRUE(w->Contains("b"));
  EXPECT_FALSE(w->Contains("c"));
  EXPECT_FALSE(w->Contains("d"));
  EXPECT_EQ(*store->CountDedupIds("s"), 2u);
}

TEST(CheckpointStore, FailedCommitAppliesNothingAndKeepsTheWindowDelta) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("cp.db"));
  CommitRequest first;
  first.stream = "s";
  first.checkpoints = {{"shard-0", "100", 0, false, 0}};
  first.insert_ids = {{"a", kLongAgo}};
  ASSERT_TRUE(store->Commit(first).ok());

  DedupWindow w;
  w.SeenOrInsert("b", kLongAgo);
  CommitRequest bad;
  bad.stream = "s";
  bad.checkpoints = {{"shard-0", "200", 0, false, 0}, {"shard-1", "7", 0, false, 0}};
  bad.insert_ids = {{"", kLongAgo}};  // violates the schema after the other rows were written
  Status st = store->Commit(bad, &w);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
  EXPECT_EQ((*store->LoadCheckpoint("s", "shard-0"))->sequence_number, "100");
  EXPECT_FALSE(store->LoadCheckpoint("s", "shard-1")->has_value());
  EXPECT_EQ(*store->CountDedupIds("s"), 1u);
  EXPECT_TRUE(w.has_pending_changes());

  bad.insert_ids.clear();
  ASSERT_TRUE(store->Commit(bad, &w).ok());
  EXPECT_EQ((*store->LoadCheckpoint("s", "shard-0"))->sequence_number, "200");
  EXPECT_EQ(*store->CountDedupIds("s"), 2u);  // "b" from the window made it with the retry

  CommitRequest no_shard;
  no_shard.stream = "s";
  no_shard.checkpoints = {{"", "1", 0, false, 0}};
  EXPECT_EQ(store->Commit(no_shard).code(), StatusCode::kInvalidArgument);
}

TEST(CheckpointStore, WindowEvictionsAreDeletedFromTheFile) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("cp.db"));
  DedupWindow w({3, int64_t{1} << 50});
  for (int i = 0; i < 10; ++i) {
    w.SeenOrInsert(std::string("id") + std::to_string(i), kLongAgo + i);
    CommitRequest req;
    req.stream = "s";
    req.checkpoints = {{"shard-0", std::to_string(i), 0, false, 0}};
    ASSERT_TRUE(store->Commit(req, &w).ok());
    EXPECT_EQ(*store->CountDedupIds("s"), std::min(i + 1, 3)) << i;
  }
  auto loaded = store->LoadDedupWindow("s", {3, int64_t{1} << 50}, kLongAgo + 10);
  EXPECT_TRUE(loaded->Contains("id7"));
  EXPECT_TRUE(loaded->Contains("id9"));
  EXPECT_FALSE(loaded->Contains("id6"));
}

TEST(CheckpointStore, LoadAppliesCountAndAgeBoundsAndPrunesTheRest) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("cp.db"));
  CommitRequest req;
  req.stream = "s";
  for (int i = 0; i < 100; ++i) req.insert_ids.push_back({std::string("id") + std::to_string(i), 1000 + i * 10});
  ASSERT_TRUE(store->Commit(req).ok());

  // Count bound: the newest 50.
  auto by_count = store->LoadDedupWindow("s", {50, int64_t{1} << 50}, 5000);
  ASSERT_TRUE(by_count.ok());
  EXPECT_EQ(by_count->size(), 50u);
  EXPECT_FALSE(by_count->Contains("id49"));
  EXPECT_TRUE(by_count->Contains("id50"));
  EXPECT_EQ(*store->CountDedupIds("s"), 50u);

  // Age bound: at now = 2000 with max age 500, ids first seen after 1500 (id51..id99) remain.
  auto by_age = store->LoadDedupWindow("s", {1000, 500}, 2000);
  ASSERT_TRUE(by_age.ok());
  EXPECT_FALSE(by_age->Contains("id50"));
  EXPECT_TRUE(by_age->Contains("id51"));
  EXPECT_EQ(by_age->size(), 49u);
  EXPECT_EQ(*store->CountDedupIds("s"), 49u);
}

TEST(CheckpointStore, SecondOpenOfTheSameFileIsRefusedWhileTheFirstIsOpen) {
  TempDir dir;
  const auto path = dir.File("cp.db");
  auto first = OpenOrDie(path);
  auto second = CheckpointStore::Open(path);
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable) << second.status().ToString();
  first.reset();
  EXPECT_TRUE(CheckpointStore::Open(path).ok());
}

TEST(CheckpointStore, NonExclusiveNormalSyncModeWorks) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("cp.db"), {.synchronous_full = false, .exclusive = false});
  CommitRequest req;
  req.stream = "s";
  req.checkpoints = {{"shard-0", "1", 0, false, 0}};
  ASSERT_TRUE(store->Commit(req).ok());
  EXPECT_EQ((*store->LoadCheckpoint("s", "shard-0"))->sequence_number, "1");
}

TEST(CheckpointStore, ResetForgetsOneStreamOnly) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("cp.db"));
  for (const char* stream : {"a", "b"}) {
    CommitRequest req;
    req.stream = stream;
    req.checkpoints = {{"shard-0", "1", 0, false, 0}};
    req.insert_ids = {{"x", 1}};
    req.state = {{"k", "v"}};
    ASSERT_TRUE(store->Commit(req).ok());
  }
  ASSERT_TRUE(store->Reset("a").ok());
  EXPECT_TRUE(store->LoadCheckpoints("a")->empty());
  EXPECT_EQ(*store->CountDedupIds("a"), 0u);
  EXPECT_FALSE(store->LoadState("a", "k")->has_value());
  EXPECT_EQ(store->LoadCheckpoints("b")->size(), 1u);
  EXPECT_EQ(*store->CountDedupIds("b"), 1u);
}

TEST(CheckpointStore, NotADatabaseIsReportedAsCorruption) {
  TempDir dir;
  const auto path = dir.File("junk.db");
  {
    FILE* f = std::fopen(path.c_str(), "wb");
    std::string junk(4096, 'z');
    std::fwrite(junk.data(), 1, junk.size(), f);
    std::fclose(f);
  }
  auto s = CheckpointStore::Open(path);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kCorruption) << s.status().ToString();
}

// The consumer recipe from checkpoint_store.h, with crashes at every point:
// a stream with duplicates is consumed in batches; output goes to a sink whose
// committed length is stored with the checkpoint; after a crash the sink is
// truncated to it and reading resumes after the checkpoint. Every unique event
// must end up in the sink exactly once.
TEST(CheckpointStore, ReplayAfterCrashAtAnyPointProcessesEveryEventExactlyOnce) {
  std::vector<std::string> stream;  // event ids; index = sequence number
  std::set<std::string> unique;
  for (int i = 0; i < 200; ++i) {
    std::string id = std::string("e") + std::to_string(i % 7 == 3 && i > 10 ? i - 9 : i);  // some duplicates
    stream.push_back(id);
    unique.insert(id);
  }
  for (int crash_after = 0; crash_after < 60; crash_after += 7) {
    TempDir dir;
    const auto path = dir.File("cp.db");
    std::vector<std::string> sink;
    int processed_total = 0;
    bool crashed = false;
    while (true) {
      auto store = OpenOrDie(path);
      auto cp = store->LoadCheckpoint("s", "shard-0");
      const size_t next = cp->has_value() ? std::stoul((*cp)->sequence_number) + 1 : 0;
      const size_t offset = std::stoul(store->LoadState("s", "sink_offset")->value_or("0"));
      sink.resize(offset);  // truncate uncommitted output
      auto w = store->LoadDedupWindow("s", {}, kLongAgo);
      ASSERT_TRUE(w.ok());
      bool crash_now = false;
      for (size_t pos = next; pos < stream.size();) {
        const size_t end = std::min(stream.size(), pos + 10);
        for (; pos < end; ++pos) {
          if (!w->SeenOrInsert(stream[pos], kLongAgo)) {
            sink.push_back(stream[pos]);
            if (!crashed && ++processed_total == crash_after) crash_now = true;
          }
        }
        if (crash_now) break;  // the process dies before this batch's commit
        CommitRequest req;
        req.stream = "s";
        req.checkpoints = {{"shard-0", std::to_string(pos - 1), 0, false, 0}};
        req.state = {{"sink_offset", std::to_string(sink.size())}};
        ASSERT_TRUE(store->Commit(req, &*w).ok());
      }
      if (!crash_now) break;
      crashed = true;
    }
    std::multiset<std::string> got(sink.begin(), sink.end());
    EXPECT_EQ(got.size(), unique.size()) << "crash after " << crash_after;
    EXPECT_EQ(std::set<std::string>(sink.begin(), sink.end()), unique);
  }
}

// A real crash: a child process commits in a loop (checkpoint i with 20 ids
// "e<i>-<k>" and sink_offset i) and is SIGKILLed at a random moment, several
// times over the same file. After each kill the file must hold, for the
// recorded checkpoint n, exactly the ids of commits 1..n, and n must be at
// least the last commit the child saw return (durable on return).
TEST(CheckpointStoreCrash, SigkillDuringCommitLoopLeavesCheckpointAndIdsConsistent) {
  TempDir dir;
  const auto path = dir.File("cp.db");
  constexpr int kIdsPerCommit = 20;
  std::srand(12345);
  int64_t expected_min = 0;
  for (int round = 0; round < 5; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      auto store = CheckpointStore::Open(path);
      if (!store.ok()) ::_exit(2);
      auto cp = (*store)->LoadCheckpoint("s", "shard-0");
      if (!cp.ok()) ::_exit(3);
      for (int64_t i = cp->has_value() ? std::stoll((*cp)->sequence_number) + 1 : 1;; ++i) {
        CommitRequest req;
        req.stream = "s";
        req.now_ms = i;
        req.checkpoints = {{"shard-0", std::to_string(i), 0, false, 0}};
        for (int k = 0; k < kIdsPerCommit; ++k)
          req.insert_ids.push_back({std::string("e") + std::to_string(i) + "-" + std::to_string(k), i});
        req.state = {{"sink_offset", std::to_string(i)}};
        if (!(*store)->Commit(req).ok()) ::_exit(4);
        if (::write(fds[1], &i, sizeof i) != sizeof i) ::_exit(5);
      }
    }
    ::close(fds[1]);
    // Let the child commit a while, then kill it at a random moment: after a
    // random number of acknowledged commits, while it runs on with the next.
    const int kill_after = 20 + std::rand() % 40;
    int64_t acked = 0, v;
    int seen = 0;
    while (seen < kill_after && ::read(fds[0], &v, sizeof v) == sizeof v) {
      acked = v;
      ++seen;
    }
    ASSERT_EQ(seen, kill_after) << "child stopped early";
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int wstatus = 0;
    ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child exited with " << WEXITSTATUS(wstatus);
    while (::read(fds[0], &v, sizeof v) == sizeof v) acked = v;  // acks written before death
    ::close(fds[0]);
    expected_min = std::max(expected_min, acked);

    auto store = OpenOrDie(path);
    ASSERT_NE(store, nullptr);
    auto cp = store->LoadCheckpoint("s", "shard-0");
    ASSERT_TRUE(cp.ok() && cp->has_value());
    const int64_t n = std::stoll((*cp)->sequence_number);
    EXPECT_GE(n, expected_min) << "a commit that returned ok was lost";
    EXPECT_LE(n, acked + 1) << "at most the one commit in flight may be there unacknowledged";
    EXPECT_EQ(store->LoadState("s", "sink_offset")->value_or(""), std::to_string(n));
    EXPECT_EQ(*store->CountDedupIds("s"), static_cast<size_t>(n * kIdsPerCommit)) << "ids beyond the checkpoint";
    auto w = store->LoadDedupWindow("s", kBigWindow, n + 1);
    ASSERT_TRUE(w.ok());
    for (int64_t i = 1; i <= n + 1; ++i)
      for (int k = 0; k < kIdsPerCommit; ++k)
        ASSERT_EQ(w->Contains(std::string("e") + std::to_string(i) + "-" + std::to_string(k)), i <= n)
            << "commit " << i << " id " << k << " with checkpoint " << n;
    expected_min = n;
  }
}

}  // namespace
}  // namespace sluice::pipeline
