// NdjsonReader: the file/stdin source of `sluice produce`. Reads one JSON
// document per line, skips blank lines, reports bad lines (with their line
// number) without stopping, and picks each record's partition key.
//
// Lines: split on '\n'; a trailing '\r' and surrounding ASCII whitespace are
// trimmed; the record data is the trimmed line, byte for byte. A line is held
// in memory whole while it is examined; lines longer than max_line_bytes are
// rejected (reported, not sent).
//
// Partition key (`partition_key_field`, dotted path allowed, see
// json_fields.h): a string, number or bool value is used as text. A missing
// or null field, or an empty `partition_key_field`, gives a random key (16 hex
// digits from a seeded PRNG; counted in random_keys()). A field that is an
// object or array, an empty string, or longer than 256 characters rejects the
// line (reported) rather than silently rerouting it.
//
// Thread-safety: none; one reader per thread. The reader does not own the
// stream/FILE* it is given (Open() owns the file it opens).
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sluice/status.h"

namespace sluice::pipeline {

namespace internal {
class SplitMix64;
}

struct NdjsonProblem;

struct NdjsonOptions {
  std::string partition_key_field;  // empty = random keys
  uint64_t random_key_seed = 1;
  size_t max_line_bytes = size_t{1} << 20;  // the default Kinesis record limit
  // Keep at most this many problems in problems() (all are counted).
  size_t max_reported_problems = 1000;
  // Called for every rejected line as it is found (problems() keeps only
  // the first max_reported_problems); empty = not called.
  std::function<void(const NdjsonProblem&)> on_problem;
};

struct NdjsonRecord {
  uint64_t line_number = 0;  // 1-based
  std::string data;
  std::string partition_key;
  bool random_key = false;
};

struct NdjsonProblem {
  uint64_t line_number = 0;
  std::string reason;  // e.g. "invalid JSON: offset 7: Missing a comma or '}' after an object member."
};

class NdjsonReader {
 public:
  // Neither `in` nor `file` is owned; it must outlive the reader.
  NdjsonReader(std::istream* in, NdjsonOptions options);
  NdjsonReader(FILE* file, NdjsonOptions options);
  // "-" = stdin; otherwise opens (and owns) the file. NotFound/IoError.
  static Result<std::unique_ptr<NdjsonReader>> Open(const std::string& path, NdjsonOptions options);
  ~NdjsonReader();
  NdjsonReader(const NdjsonReader&) = delete;
  NdjsonReader& operator=(const NdjsonReader&) = delete;

  // The next good record; nullopt at end of input. IoError when reading fails
  // (the reader is then finished). Blocks while the input has no full line.
  Result<std::optional<NdjsonRecord>> Next();

  uint64_t lines_read() const { return lines_; }  // every line, blank ones included
  uint64_t records() const { return records_; }   // returned by Next()
  uint64_t blank_lines() const { return blank_; }
  uint64_t rejected() const { return rejected_; }  // malformed JSON, bad key, too long
  uint64_t malformed_json() const { return malformed_json_; }
  uint64_t random_keys() const { return random_keys_; }
  // The first max_reported_problems rejected lines, in input order.
  const std::vector<NdjsonProblem>& problems() const { return problems_; }

 private:
  // false at end of input; IoError on read failure.
  Result<bool> ReadLine(std::string* line);
  void Reject(uint64_t line, std::string reason);

  NdjsonOptions options_;
  std::istream* in_ = nullptr;
  FILE* file_ = nullptr;
  bool owns_file_ = false;
  bool done_ = false;
  char* getline_buf_ = nullptr;
  size_t getline_cap_ = 0;
  std::unique_ptr<internal::SplitMix64> rng_;
  std::vector<NdjsonProblem> problems_;
  uint64_t lines_ = 0, records_ = 0, blank_ = 0, rejected_ = 0, malformed_json_ = 0, random_keys_ = 0;
};

}  // namespace sluice::pipeline
