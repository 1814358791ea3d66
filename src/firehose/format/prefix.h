// Prefix expressions: Firehose's Prefix and ErrorOutputPrefix, parsed and
// validated once (as CreateDeliveryStream / UpdateDestination do) and then
// evaluated for every object (docs: "Custom Prefixes for Amazon S3 Objects",
// firehose/latest/dev/s3-prefixes.html; docs/format/firehose-objects.md).
//
// Expressions are !{namespace:value} with namespace one of
//   timestamp              Java DateTimeFormatter pattern (date_time_format.h),
//                          evaluated at the oldest record's arrival time in
//                          CustomTimeZone; every use in one prefix is the same instant
//   firehose               random-string (11 random characters, a new value for
//                          every occurrence) | error-output-type (ErrorOutputPrefix only)
//   partitionKeyFromQuery  a key produced by the MetadataExtraction JQ query
//   partitionKeyFromLambda a key returned by the transformation Lambda
// "!{" may appear only as the start of such an expression.
//
// Not thread-hostile: Parse/Create results are immutable and may be shared;
// Evaluate is const and only calls the injected random source.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "firehose/format/date_time_format.h"
#include "firehose/format/time_zone.h"

namespace sluice::firehose::format {

using PartitionKeys = std::map<std::string, std::string>;

// Evaluated prefixes longer than this are an error (docs: "Neither Prefix nor
// ErrorOutputPrefix can be greater than 512 characters after they're evaluated").
inline constexpr size_t kMaxEvaluatedPrefixLength = 512;
// The pattern Firehose appends to a Prefix without a timestamp expression.
inline constexpr std::string_view kDefaultTimePattern = "yyyy/MM/dd/HH/";

// 11 random characters as Firehose's !{firehose:random-string} gives them: the
// first 11 characters of a random (v4) UUID, e.g. "046b6c7f-0b" (docs example).
std::string RandomString();
// A random version-4 UUID in canonical lowercase form.
std::string RandomUuid();

// What an evaluation needs besides the expression itself.
struct PrefixContext {
  int64_t timestamp_ms = 0;                    // approximate arrival of the oldest record in the object
  const TimeZone* zone = nullptr;              // nullptr = UTC
  std::string_view error_output_type;          // e.g. "processing-failed" (error prefixes only)
  const PartitionKeys* query_keys = nullptr;   // partitionKeyFromQuery values
  const PartitionKeys* lambda_keys = nullptr;  // partitionKeyFromLambda values
  // Source of !{firehose:random-string} values; nullptr = RandomString().
  const std::function<std::string()>* random_string = nullptr;
};

class PrefixExpression {
 public:
  // Syntax check only: balanced !{...}, known namespaces and firehose values,
  // non-empty values, valid timestamp patterns. InvalidArgument otherwise.
  static Result<PrefixExpression> Parse(std::string_view text);

  const std::string& text() const { return text_; }
  bool has_expressions() const { return expressions_ > 0; }
  bool has_timestamp() const { return has_timestamp_; }
  bool has_error_output_type() const { return has_error_output_type_; }
  bool has_partition_keys() const { return !query_keys_.empty() || !lambda_keys_.empty(); }
  const std::vector<std::string>& query_keys() const { return query_keys_; }  // in order of appearance
  const std::vector<std::string>& lambda_keys() const { return lambda_keys_; }

  // The evaluated prefix. InvalidArgument when a partition key has no value,
  // error-output-type is used without one, or the result exceeds 512 characters.
  Result<std::string> Evaluate(const PrefixContext& ctx) const;

 private:
  enum class Kind { kLiteral, kTimestamp, kRandomString, kErrorOutputType, kQueryKey, kLambdaKey };
  struct Part {
    Kind kind;
    std::string text;  // literal text, or the key name
    DateTimePattern pattern;
  };
  std::string text_;
  std::vector<Part> parts_;
  int expressions_ = 0;
  bool has_timestamp_ = false;
  bool has_error_output_type_ = false;
  std::vector<std::string> query_keys_, lambda_keys_;
};

// A destination's Prefix + ErrorOutputPrefix, validated together with the
// rules AWS applies at CreateDeliveryStream (InvalidArgument, AWS-like words):
// - Prefix may not use !{firehose:error-output-type};
// - ErrorOutputPrefix may not be empty when Prefix contains expressions;
// - an ErrorOutputPrefix with expressions must use !{firehose:error-output-type};
// - partitionKeyFrom* expressions need dynamic partitioning, and dynamic
//   partitioning needs at least one of them in Prefix and a non-empty
//   ErrorOutputPrefix; ErrorOutputPrefix may not use partition keys;
// - each is at most 1024 characters (the API's length limit).
// Defaults (docs "Semantic rules"):
// - a Prefix without a timestamp (and without partition keys) gets
//   !{timestamp:yyyy/MM/dd/HH/} appended, literally (no '/' inserted), so ""
//   evaluates to "2018/08/27/10/" and "logs" to "logs2018/08/27/10/";
// - an empty ErrorOutputPrefix evaluates to
//   <Prefix>!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH/},
//   e.g. "processing-failed/2018/08/27/10/".
class S3Prefixes {
 public:
  static Result<S3Prefixes> Create(std::string_view prefix, std::string_view error_output_prefix,
                                   bool dynamic_partitioning);

  // The prefix for delivered data / for error output (ctx.error_output_type set).
  Result<std::string> EvaluatePrefix(const PrefixContext& ctx) const { return prefix_.Evaluate(ctx); }
  Result<std::string> EvaluateErrorPrefix(const PrefixContext& ctx) const { return error_prefix_.Evaluate(ctx); }

  const PrefixExpression& prefix() const { return prefix_; }              // effective (defaults applied)
  const PrefixExpression& error_prefix() const { return error_prefix_; }  // effective

 private:
  PrefixExpression prefix_, error_prefix_;
};

}  // namespace sluice::firehose::format
