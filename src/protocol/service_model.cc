#include "protocol/service_model.h"

#include <rapidjson/document.h>

#include <stdexcept>

namespace sluice::protocol {

extern const char kKinesisModelJson[];
extern const char kDynamoDbModelJson[];
extern const char kFirehoseModelJson[];

namespace {
ShapeType ParseType(std::string_view t) {
  if (t == "structure") return ShapeType::kStructure;
  if (t == "list") return ShapeType::kList;
  if (t == "map") return ShapeType::kMap;
  if (t == "integer") return ShapeType::kInteger;
  if (t == "long") return ShapeType::kLong;
  if (t == "boolean") return ShapeType::kBoolean;
  if (t == "blob") return ShapeType::kBlob;
  if (t == "timestamp") return ShapeType::kTimestamp;
  if (t == "double") return ShapeType::kDouble;
  if (t == "float") return ShapeType::kFloat;
  return ShapeType::kString;
}

}  // namespace

ServiceModel::ServiceModel(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) throw std::runtime_error("bad embedded service model");
  target_prefix_ = doc["metadata"]["targetPrefix"].GetString();
  const auto& shapes = doc["shapes"];
  // Two passes: create every shape, then link references by name.
  for (auto it = shapes.MemberBegin(); it != shapes.MemberEnd(); ++it) {
    auto s = std::make_unique<Shape>();
    s->name = it->name.GetString();
    shapes_.emplace(s->name, std::move(s));
  }
  auto ref = [&](const rapidjson::Value& v) -> const Shape* { return shapes_.at(v["shape"].GetString()).get(); };
  for (auto it = shapes.MemberBegin(); it != shapes.MemberEnd(); ++it) {
    Shape& s = *shapes_.at(it->name.GetString());
    const auto& j = it->value;
    s.type = ParseType(j.HasMember("type") ? j["type"].GetString() : "string");
    if (j.HasMember("min")) s.min = j["min"].GetInt64();
    if (j.HasMember("max")) s.max = j["max"].GetInt64();
    if (j.HasMember("pattern")) {
      s.pattern_text = j["pattern"].GetString();
      s.pattern = StringPattern::Compile(s.pattern_text);
    }
    if (j.HasMember("enum"))
      for (const auto& e : j["enum"].GetArray()) s.enum_values.emplace_back(e.GetString());
    if (j.HasMember("member")) s.member = ref(j["member"]);
    if (j.HasMember("key")) s.key = ref(j["key"]);
    if (j.HasMember("value")) s.value = ref(j["value"]);
    if (j.HasMember("members")) {
      for (auto m = j["members"].MemberBegin(); m != j["members"].MemberEnd(); ++m)
        s.members.push_back({m->name.GetString(), ref(m->value), false});
    }
    if (j.HasMember("required")) {
      for (const auto& r : j["required"].GetArray())
        for (auto& m : s.members)
          if (m.name == r.GetString()) m.required = true;
    }
  }
  for (auto it = doc["operations"].MemberBegin(); it != doc["operations"].MemberEnd(); ++it)
    operations_.emplace(it->name.GetString(), shapes_.at(it->value.GetString()).get());
  if (doc.HasMember("outputs"))
    for (auto it = doc["outputs"].MemberBegin(); it != doc["outputs"].MemberEnd(); ++it)
      outputs_.emplace(it->name.GetString(), shapes_.at(it->value.GetString()).get());
}

const Shape* ServiceModel::InputShape(std::string_view operation) const {
  auto it = operations_.find(operation);
  return it == operations_.end() ? nullptr : it->second;
}

const Shape* ServiceModel::OutputShape(std::string_view operation) const {
  auto it = outputs_.find(operation);
  return it == outputs_.end() ? nullptr : it->second;
}

std::vector<std::string> ServiceModel::OperationNames() const {
  std::vector<std::string> names;
  for (const auto& [name, _] : operations_) names.push_back(name);
  return names;
}

const ServiceModel& ServiceModel::Kinesis() {
  static const ServiceModel model(kKinesisModelJson);
  return model;
}

const ServiceModel& ServiceModel::Firehose() {
  static const ServiceModel model(kFirehoseModelJson);
  return model;
}

const ServiceModel& ServiceModel::DynamoDB() {
  static const ServiceModel model(kDynamoDbModelJson);
  return model;
}

}  // namespace sluice::protocol
