// ServiceModel: the request and response shapes of an AWS JSON service, loaded from the
// botocore model embedded at build time (tools/gen_service_model.py). It is the
// single source of member names, types, limits, enums and required members.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/string_pattern.h"

namespace sluice::protocol {

enum class ShapeType {
  kStructure,
  kList,
  kMap,
  kString,
  kInteger,
  kLong,
  kBoolean,
  kBlob,
  kTimestamp,
  kDouble,
  kFloat
};

struct Shape;

struct Member {
  std::string name;
  const Shape* shape = nullptr;
  bool required = false;
};

struct Shape {
  std::string name;
  ShapeType type = ShapeType::kString;
  std::optional<int64_t> min, max;
  std::string pattern_text;
  // Absent when the pattern uses syntax we cannot match (e.g. \p{L}); such
  // patterns are not enforced.
  std::optional<StringPattern> pattern;
  std::vector<std::string> enum_values;
  std::vector<Member> members;    // structure members, in model order
  const Shape* member = nullptr;  // list element
  const Shape* key = nullptr;     // map key
  const Shape* value = nullptr;   // map value
};

class ServiceModel {
 public:
  // The embedded models. Parsed once on first use; thread-safe.
  static const ServiceModel& Kinesis();
  static const ServiceModel& Firehose();
  static const ServiceModel& DynamoDB();

  // Parses a model document in the generator's JSON form.
  explicit ServiceModel(std::string_view json);
  ServiceModel(const ServiceModel&) = delete;
  ServiceModel& operator=(const ServiceModel&) = delete;

  // Input shape of `operation`, or nullptr if the model has no such operation.
  const Shape* InputShape(std::string_view operation) const;
  // Output shape of `operation`, or nullptr if it answers with no members.
  const Shape* OutputShape(std::string_view operation) const;
  const std::string& target_prefix() const { return target_prefix_; }
  std::vector<std::string> OperationNames() const;

 private:
  std::string target_prefix_;
  std::map<std::string, std::unique_ptr<Shape>, std::less<>> shapes_;
  std::map<std::string, const Shape*, std::less<>> operations_;
  std::map<std::string, const Shape*, std::less<>> outputs_;
};

}  // namespace sluice::protocol
