#include "firehose/format/prefix.h"

#include <random>

namespace sluice::firehose::format {

namespace {

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng{[] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }()};
  return rng;
}

Status Invalid(std::string what, std::string_view text) {
  return Status::InvalidArgument(std::move(what) + " in '" + std::string(text) + "'");
}

}  // namespace

std::string RandomUuid() {
  auto& rng = Rng();
  uint64_t hi = rng(), lo = rng();
  hi = (hi & ~0xF000ULL) | 0x4000ULL;                         // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (int i = 0; i < 32; ++i) {
    uint64_t word = i < 16 ? hi : lo;
    int shift = 60 - 4 * (i % 16);
    s.push_back(kHex[(word >> shift) & 0xF]);
    if (i == 7 || i == 11 || i == 15 || i == 19) s.push_back('-');
  }
  return s;
}

std::string RandomString() { return RandomUuid().substr(0, 11); }

Result<PrefixExpression> PrefixExpression::Parse(std::string_view text) {
  PrefixExpression e;
  e.text_ = std::string(text);
  auto literal = [&](std::string_view s) {
    if (s.empty()) return;
    if (!e.parts_.empty() && e.parts_.back().kind == Kind::kLiteral) {
      e.parts_.back().text.append(s);
    } else {
      e.parts_.push_back(Part{Kind::kLiteral, std::string(s), {}});
    }
  };
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find("!{", i);
    if (open == std::string_view::npos) {
      literal(text.substr(i));
      break;
    }
    literal(text.substr(i, open - i));
    size_t colon = text.find(':', open + 2);
    size_t close_any = text.find('}', open + 2);
    if (close_any == std::string_view::npos) return Invalid("Unbalanced expression: '!{' without a closing '}'", text);
    if (colon == std::string_view::npos || colon > close_any) {
      return Invalid("Invalid expression '" + std::string(text.substr(open, close_any - open + 1)) +
                         "': expressions must have the form !{namespace:value}",
                     text);
    }
    std::string_view ns = text.substr(open + 2, colon - open - 2);
    // Find the closing brace; inside timestamp patterns, quoted text may hold '}'.
    size_t j = colon + 1;
    bool quoted = false;
    for (; j < text.size(); ++j) {
      char c = text[j];
      if (ns == "timestamp" && c == '\'') quoted = !quoted;
      else if (!quoted && c == '}') break;
    }
    if (j >= text.size()) return Invalid("Unbalanced expression: '!{' without a closing '}'", text);
    std::string_view value = text.substr(colon + 1, j - colon - 1);
    std::string expr(text.substr(open, j - open + 1));
    if (value.find("!{") != std::string_view::npos) {
      return Invalid("The sequence '!{' can only appear in !{namespace:value} expressions", text);
    }
    if (value.empty()) return Invalid("Expression '" + expr + "' has an empty value", text);
    if (ns == "timestamp") {
      auto pattern = DateTimePattern::Compile(value);
      if (!pattern.ok()) {
        return Invalid("Invalid timestamp expression '" + expr + "': " + pattern.status().message(), text);
      }
      e.parts_.push_back(Part{Kind::kTimestamp, std::string(value), std::move(*pattern)});
      e.has_timestamp_ = true;
    } else if (ns == "firehose") {
      if (value == "random-string") {
        e.parts_.push_back(Part{Kind::kRandomString, {}, {}});
      } else if (value == "error-output-type") {
        e.parts_.push_back(Part{Kind::kErrorOutputType, {}, {}});
        e.has_error_output_type_ = true;
      } else {
        return Invalid("Unsupported value '" + std::string(value) +
                           "' for the firehose namespace (expected random-string or error-output-type)",
                       text);
      }
    } else if (ns == "partitionKeyFromQuery" || ns == "partitionKeyFromLambda") {
      bool query = ns == "partitionKeyFromQuery";
      e.parts_.push_back(Part{query ? Kind::kQueryKey : Kind::kLambdaKey, std::string(value), {}});
      (query ? e.query_keys_ : e.lambda_keys_).emplace_back(value);
    } else {
      return Invalid("Unsupported namespace '" + std::string(ns) +
                         "' (expected timestamp, firehose, partitionKeyFromQuery or partitionKeyFromLambda)",
                     text);
    }
    ++e.expressions_;
    i = j + 1;
  }
  return e;
}

Result<std::string> PrefixExpression::Evaluate(const PrefixContext& ctx) const {
  std::string out;
  out.reserve(text_.size() + 32);
  bool have_time = false;
  LocalTime local;
  for (const Part& p : parts_) {
    switch (p.kind) {
      case Kind::kLiteral: out.append(p.text); break;
      case Kind::kTimestamp:
        if (!have_time) {  // every timestamp in one prefix is the same instant
          int32_t off =
              ctx.zone ? ctx.zone->OffsetSeconds(ctx.timestamp_ms / 1000 - (ctx.timestamp_ms % 1000 < 0 ? 1 : 0)) : 0;
          local = BreakDown(ctx.timestamp_ms, off);
          have_time = true;
        }
        p.pattern.AppendTo(local, &out);
        break;
      case Kind::kRandomString:
        out.append(ctx.random_string && *ctx.random_string ? (*ctx.random_string)() : RandomString());
        break;
      case Kind::kErrorOutputType:
        if (ctx.error_output_type.empty()) {
          return Status::InvalidArgument("!{firehose:error-output-type} evaluated without an error output type");
        }
        out.append(ctx.error_output_type);
        break;
      case Kind::kQueryKey:
      case Kind::kLambdaKey: {
        const PartitionKeys* keys = p.kind == Kind::kQueryKey ? ctx.query_keys : ctx.lambda_keys;
        auto it = keys ? keys->find(p.text) : PartitionKeys::const_iterator{};
        if (!keys || it == keys->end()) {
          return Status::InvalidArgument(
              std::string("The partition key '") + p.text + "' of " +
              (p.kind == Kind::kQueryKey ? "partitionKeyFromQuery" : "partitionKeyFromLambda") + " has no value");
        }
        out.append(it->second);
        break;
      }
    }
  }
  if (out.size() > kMaxEvaluatedPrefixLength) {
    return Status::InvalidArgument("The evaluated prefix is " + std::to_string(out.size()) +
                                   " characters long; the maximum is 512");
  }
  return out;
}

Result<S3Prefixes> S3Prefixes::Create(std::string_view prefix, std::string_view error_output_prefix,
                                      bool dynamic_partitioning) {
  if (prefix.size() > 1024) return Status::InvalidArgument("Prefix is longer than 1024 characters");
  if (error_output_prefix.size() > 1024)
    return Status::InvalidArgument("ErrorOutputPrefix is longer than 1024 characters");
  auto p = PrefixExpression::Parse(prefix);
  if (!p.ok()) return Status::InvalidArgument("Prefix: " + p.status().message());
  auto ep = PrefixExpression::Parse(error_output_prefix);
  if (!ep.ok()) return Status::InvalidArgument("ErrorOutputPrefix: " + ep.status().message());

  if (p->has_error_output_type()) {
    return Status::InvalidArgument(
        "Prefix cannot contain !{firehose:error-output-type}; it can only be used in ErrorOutputPrefix");
  }
  if (p->has_expressions() && error_output_prefix.empty()) {
    return Status::InvalidArgument("ErrorOutputPrefix cannot be null or empty when Prefix contains expressions");
  }
  if (ep->has_expressions() && !ep->has_error_output_type()) {
    return Status::InvalidArgument(
        "ErrorOutputPrefix must contain at least one !{firehose:error-output-type} expression when it contains "
        "expressions");
  }
  if (ep->has_partition_keys()) {
    return Status::InvalidArgument(
        "ErrorOutputPrefix cannot contain partitionKeyFromQuery or partitionKeyFromLambda expressions");
  }
  if (dynamic_partitioning) {
    if (!p->has_partition_keys()) {
      return Status::InvalidArgument(
          "When dynamic partitioning is enabled, Prefix must contain at least one partitionKeyFromQuery or "
          "partitionKeyFromLambda expression");
    }
    if (error_output_prefix.empty()) {
      return Status::InvalidArgument("ErrorOutputPrefix is required when dynamic partitioning is enabled");
    }
  } else if (p->has_partition_keys()) {
    return Status::InvalidArgument(
        "Prefix contains partitionKeyFromQuery or partitionKeyFromLambda expressions but dynamic partitioning is not "
        "enabled");
  }

  S3Prefixes out;
  std::string time_expr = "!{timestamp:" + std::string(kDefaultTimePattern) + "}";
  if (!p->has_timestamp() && !p->has_partition_keys()) {
    SLUICE_ASSIGN_OR_RETURN(out.prefix_, PrefixExpression::Parse(std::string(prefix) + time_expr));
  } else {
    out.prefix_ = std::move(*p);
  }
  if (error_output_prefix.empty()) {
    // Prefix has no expressions here (checked above), so it is plain text.
    SLUICE_ASSIGN_OR_RETURN(
        out.error_prefix_, PrefixExpression::Parse(std::string(prefix) + "!{firehose:error-output-type}/" + time_expr));
  } else {
    out.error_prefix_ = std::move(*ep);
  }
  return out;
}

}  // namespace sluice::firehose::format
