// Firehose Prefix / ErrorOutputPrefix expressions (firehose/format/prefix.h):
// parsing and the AWS rules of S3Prefixes::Create, then evaluation in a time
// zone, which also exercises the POSIX TZ and TZif parsers of time_zone.h.
//
// Input: byte 0 = flags (bit 0 dynamic partitioning, bits 1-2 zone source:
// UTC / a system zone / a POSIX TZ string / TZif bytes), bytes 1-6 = the
// arrival time in ms (below 2^48, i.e. before year 10889), then Prefix,
// ErrorOutputPrefix and the zone text, separated by NUL bytes.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "firehose/format/prefix.h"
#include "firehose/format/time_zone.h"

namespace fmt = sluice::firehose::format;

namespace {

std::string_view NextPart(std::string_view& rest) {
  size_t nul = rest.find('\0');
  std::string_view part = rest.substr(0, nul);
  rest.remove_prefix(nul == std::string_view::npos ? rest.size() : nul + 1);
  return part;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 7) return 0;
  const bool dynamic = data[0] & 1;
  const int zone_source = (data[0] >> 1) & 3;
  int64_t timestamp_ms = 0;
  for (int i = 1; i <= 6; ++i) timestamp_ms = (timestamp_ms << 8) | data[i];
  std::string_view rest(reinterpret_cast<const char*>(data + 7), size - 7);
  std::string_view prefix = NextPart(rest);
  std::string_view error_prefix = NextPart(rest);
  std::string_view zone_text = rest;

  std::shared_ptr<const fmt::TimeZone> zone = fmt::TimeZone::Utc();
  if (zone_source == 1) {
    if (auto z = fmt::TimeZone::Load(zone_text); z.ok()) zone = z.value();
  } else if (zone_source == 2) {
    if (auto z = fmt::TimeZone::FromPosix("fuzz", zone_text); z.ok()) zone = z.value();
  } else if (zone_source == 3) {
    if (auto z = fmt::TimeZone::FromTzif("fuzz", zone_text); z.ok()) zone = z.value();
  }

  auto prefixes = fmt::S3Prefixes::Create(prefix, error_prefix, dynamic);
  if (!prefixes.ok()) return 0;
  // A value for every partition key the expressions name.
  fmt::PartitionKeys query_keys, lambda_keys;
  for (const auto& k : prefixes.value().prefix().query_keys()) query_keys[k] = "q-" + k;
  for (const auto& k : prefixes.value().prefix().lambda_keys()) lambda_keys[k] = "l-" + k;
  std::function<std::string()> random = [] { return std::string("0123456789a"); };
  fmt::PrefixContext ctx;
  ctx.timestamp_ms = timestamp_ms;
  ctx.zone = zone.get();
  ctx.query_keys = &query_keys;
  ctx.lambda_keys = &lambda_keys;
  ctx.random_string = &random;
  auto evaluated = prefixes.value().EvaluatePrefix(ctx);
  if (evaluated.ok() && evaluated.value().size() > fmt::kMaxEvaluatedPrefixLength) std::abort();
  ctx.error_output_type = "processing-failed";
  auto error_evaluated = prefixes.value().EvaluateErrorPrefix(ctx);
  if (error_evaluated.ok() && error_evaluated.value().size() > fmt::kMaxEvaluatedPrefixLength) std::abort();
  return 0;
}
