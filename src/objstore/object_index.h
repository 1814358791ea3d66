// The object index, <root>/index.db: opening it with the store's pragmas
// and schema, and how ObjectInfo fields are stored in its columns. The
// tables and encodings are documented in docs/format/objects.md.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "base/status.h"
#include "objstore/object_store.h"
#include "objstore/sqlite_db.h"
#include "objstore/store_error.h"

struct sqlite3;

namespace sluice::objstore {

// Opens (creating it 0600 if absent) the index at `path`: WAL journal,
// synchronous=FULL (OFF when !fsync), a busy timeout, and the four tables
// created if missing. The caller closes the connection (sqlite3_close).
Result<sqlite3*> OpenObjectIndex(const std::filesystem::path& path, bool fsync);

// kInternal "object index: <what>: <SQLite's message>".
StoreError IndexError(sqlite3* db, std::string_view what);

// x-amz-meta-* as stored in the metadata columns: "name\0value\0...".
std::string EncodeMetadata(const std::map<std::string, std::string>& metadata);
std::map<std::string, std::string> DecodeMetadata(std::string_view encoded);

// The ObjectInfo of `key` from a row whose columns, from `first_col` on, are
// size, etag, last_modified_ms, content_type, content_encoding, metadata.
ObjectInfo RowToInfo(Stmt& row, const std::string& key, int first_col);

}  // namespace sluice::objstore
