// JqExtractor: Firehose's MetadataExtraction processor (JsonParsingEngine
// JQ-1.6) for dynamic partitioning. The MetadataExtractionQuery, e.g.
//   {customer_id: .customer_id, year: .ts | strftime("%Y")}
// is compiled once with libjq (1.6, the version AWS documents) and run on each
// record's JSON text; its object's members become the partitionKeyFromQuery
// values.
//
// Contract:
// - Compile: InvalidArgument with jq's compile message when the query does
//   not compile. The query runs with `env` and `$ENV` bound to {} so a
//   stream configuration cannot read the server's environment.
// - Extract(record): the record must be one JSON value; the query must yield
//   an object as its first output. Member values: strings as is, numbers and
//   booleans as jq prints them (1565382027, 1.5, true). A null or missing
//   member -> InvalidArgument "the partition key value is missing: <key>"
//   (the record goes to the error output); arrays/objects -> InvalidArgument;
//   malformed JSON or a jq runtime error -> InvalidArgument. Never crashes or
//   leaks on bad input (tested under ASan).
// - A query that never terminates (e.g. `def f: f; f`) blocks the caller: jq
//   has no step limit. AWS validates queries similarly loosely.
// - NOT thread-safe: a jq_state belongs to one thread. Use one JqExtractor
//   per pipeline thread (Compile is cheap enough to do per thread).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

struct jq_state;

namespace sluice::firehose::format {

class JqExtractor {
 public:
  static Result<std::unique_ptr<JqExtractor>> Compile(std::string_view query);
  ~JqExtractor();
  JqExtractor(const JqExtractor&) = delete;
  JqExtractor& operator=(const JqExtractor&) = delete;

  Result<std::map<std::string, std::string>> Extract(std::string_view json_record);

  const std::string& query() const { return query_; }

 private:
  JqExtractor() = default;
  jq_state* jq_ = nullptr;
  std::string query_;
  std::string errors_;  // messages from jq's error callback
};

}  // namespace sluice::firehose::format
