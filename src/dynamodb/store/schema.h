// The table store's SQLite schema (docs/format/dynamodb-store.md) and how
// each kind of connection is opened: the writer (creates and upgrades the
// schema, sets the sync policy), readers, the WAL checkpointer.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "dynamodb/store/sqlite_db.h"
#include "dynamodb/store/store_types.h"

namespace sluice::dynamodb::store {

// The format version kept in PRAGMA user_version.
inline constexpr int kSchemaVersion = 1;

// Opens the writer connection: WAL, synchronous per `sync`, automatic
// checkpoints off (the checkpointer thread does them), and the schema
// created when missing. kFailedPrecondition for a newer format version.
Result<std::unique_ptr<Connection>> OpenWriterConnection(const std::string& path, SyncPolicy sync);

// Opens a reader (query_only) or checkpointer connection on an existing database.
Result<std::unique_ptr<Connection>> OpenReaderConnection(const std::string& path);

}  // namespace sluice::dynamodb::store
