// CheckpointStore: the consumer's durable state in one SQLite file —
// per (stream, shard) the last processed sequence number, the dedup window's
// event ids, and small consumer state values (e.g. the output file's length) —
// all written by ONE transaction per Commit(), so after any crash either
// everything of a commit is there or nothing is.
//
// Why that gives "never processed twice" across a crash and replay:
//   1. process a batch of records, skipping ids the DedupWindow has seen,
//      and write their output (e.g. append to the NDJSON file, write(2));
//   2. Commit(checkpoint = last sequence number, the window's new ids,
//      state "sink_offset" = output length after the writes).
//   On restart: load the checkpoints and window, truncate the output to the
//   committed sink_offset (dropping output of the uncommitted batch), resume
//   AFTER_SEQUENCE_NUMBER. Records of the lost batch are replayed and their
//   output written once; duplicates arriving after a committed original are
//   rejected by the restored window. (Side effects that cannot be rolled back,
//   such as a callback into user code, are at-least-once for the last batch.)
//   Against power loss the output must be fdatasync'ed before step 2.
//
// SQLite settings, and why:
//   - journal_mode=WAL: a commit appends to the WAL, readers are never blocked,
//     and a torn write is detected by WAL frame checksums on recovery.
//   - synchronous=FULL: in WAL mode NORMAL only fsyncs at checkpoints, so the
//     last commits survive a process crash (SIGKILL) but can vanish on power
//     loss or an OS crash. That would still be atomic (checkpoint and ids
//     vanish together), but a consumer whose output or callbacks already left
//     the machine would then replay it. FULL fsyncs the WAL on every commit,
//     so "Commit() returned ok" means durable, full stop. The price is one
//     fdatasync per commit; a consumer commits per GetRecords batch (at most
//     ~5 per second per shard), so it is negligible. `synchronous_full=false`
//     selects NORMAL for benchmarks.
//   - locking_mode=EXCLUSIVE (default): the file is locked by the first
//     writer and kept locked until Close, so a second consumer pointed at the
//     same database fails at Open (Unavailable) instead of double-processing.
//     An flock on `<path>.lock`, taken first, makes that refusal immediate
//     and names the process holding the database.
//
// Thread-safety: none; one thread at a time (the consumer's commit thread).
// Ownership: the store owns its SQLite connection; destroying it closes the
// database (an uncommitted delta in a DedupWindow is simply not durable).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sluice/pipeline/dedup_window.h"
#include "sluice/status.h"

struct sqlite3;

namespace sluice::pipeline {

struct CheckpointStoreOptions {
  bool synchronous_full = true;  // see above; false = synchronous=NORMAL
  bool exclusive = true;         // see above
};

struct ShardCheckpoint {
  std::string shard_id;
  // The last processed record's SequenceNumber (decimal text, as Kinesis
  // returns it); resume with AFTER_SEQUENCE_NUMBER. May be empty when
  // shard_finished is set for a shard that had no records.
  std::string sequence_number;
  // For KPL-aggregated records (future de-aggregation); 0 for plain records.
  uint64_t sub_sequence_number = 0;
  // The shard was read to its end (a closed shard and GetRecords returned no
  // NextShardIterator): its children may now be read (see shard_lineage.h).
  bool shard_finished = false;
  int64_t updated_ms = 0;  // set by Commit from CommitRequest::now_ms
};

struct CommitRequest {
  std::string stream;
  std::vector<ShardCheckpoint> checkpoints;                // upserted per shard_id
  std::vector<std::string> delete_ids;                     // applied before insert_ids
  std::vector<DedupEntry> insert_ids;                      // upserted (first_seen_ms replaced)
  std::vector<std::pair<std::string, std::string>> state;  // upserted per key
  int64_t now_ms = 0;
};

class CheckpointStore {
 public:
  // Creates the file (and schema) if needed; recovers it after a crash.
  // Unavailable when another connection holds it (exclusive mode),
  // FailedPrecondition when it has an unknown schema version, IoError otherwise.
  static Result<std::unique_ptr<CheckpointStore>> Open(const std::string& path, CheckpointStoreOptions options = {});
  ~CheckpointStore();
  CheckpointStore(const CheckpointStore&) = delete;
  CheckpointStore& operator=(const CheckpointStore&) = delete;

  // One transaction: delete_ids, insert_ids, checkpoints, state. On ok it is
  // durable (see synchronous above); on error nothing of it was applied.
  // InvalidArgument for an empty shard_id or event id.
  Status Commit(const CommitRequest& request);

  // As above, adding `window`'s pending delta (its new ids and evictions) to
  // the same transaction, and acknowledging it in the window on success. On
  // error the window keeps the delta for the next Commit.
  Status Commit(CommitRequest request, DedupWindow* window);

  // Every checkpoint of `stream`, ordered by shard_id.
  Result<std::vector<ShardCheckpoint>> LoadCheckpoints(const std::string& stream);
  Result<std::optional<ShardCheckpoint>> LoadCheckpoint(const std::string& stream, const std::string& shard_id);
  Result<std::optional<std::string>> LoadState(const std::string& stream, const std::string& key);

  // The durable window of `stream` as of `now_ms`: the newest
  // options.max_entries ids younger than options.max_age_ms, restored oldest
  // first. Rows left out are deleted from the file in the same call.
  Result<DedupWindow> LoadDedupWindow(const std::string& stream, DedupWindowOptions options, int64_t now_ms);

  // Number of stored dedup ids of `stream` (inspection, tests).
  Result<size_t> CountDedupIds(const std::string& stream);
  // Forgets everything about `stream` (checkpoints, ids, state) in one transaction.
  Status Reset(const std::string& stream);

  const std::string& path() const { return path_; }

 private:
  CheckpointStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status Exec(const char* sql);
  Status Error(const char* what) const;

  sqlite3* db_;
  std::string path_;
  std::shared_ptr<void> owner_lock_;  // io::DirLock on <path>.lock (exclusive mode)
};

}  // namespace sluice::pipeline
