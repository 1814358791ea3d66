#include "sluice/pipeline/json_fields.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace sluice::pipeline {
namespace {

constexpr unsigned kParseFlags = rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag;

const rapidjson::Value* Resolve(const rapidjson::Value& root, std::string_view path) {
  if (path.empty() || !root.IsObject()) return nullptr;
  auto literal = root.FindMember(rapidjson::Value(rapidjson::StringRef(path.data(), path.size())));
  if (literal != root.MemberEnd()) return &literal->value;
  const rapidjson::Value* v = &root;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    const std::string_view part = path.substr(start, dot == std::string_view::npos ? path.npos : dot - start);
    if (!v->IsObject()) return nullptr;
    auto it = v->FindMember(rapidjson::Value(rapidjson::StringRef(part.data(), part.size())));
    if (it == v->MemberEnd()) return nullptr;
    v = &it->value;
    if (dot == std::string_view::npos) return v;
    start = dot + 1;
  }
}

JsonField ToField(const rapidjson::Value* v) {
  JsonField f;
  if (v == nullptr) return f;
  using K = JsonField::Kind;
  if (v->IsNull()) {
    f.kind = K::kNull;
  } else if (v->IsBool()) {
    f.kind = K::kBool;
    f.text = v->GetBool() ? "true" : "false";
  } else if (v->IsObject()) {
    f.kind = K::kObject;
  } else if (v->IsArray()) {
    f.kind = K::kArray;
  } else if (v->IsString()) {
    f.kind = K::kString;
    f.text.assign(v->GetString(), v->GetStringLength());
  } else {
    f.kind = K::kNumber;
    char buf[32];
    std::to_chars_result r;
    if (v->IsInt64()) {
      r = std::to_chars(buf, buf + sizeof buf, v->GetInt64());
    } else if (v->IsUint64()) {
      r = std::to_chars(buf, buf + sizeof buf, v->GetUint64());
    } else {
      r = std::to_chars(buf, buf + sizeof buf, v->GetDouble());  // shortest round trip
    }
    f.text.assign(buf, r.ptr);
  }
  return f;
}

}  // namespace

Result<std::vector<JsonField>> ExtractJsonFields(std::string_view json, const std::vector<std::string>& paths) {
  rapidjson::Document doc;
  doc.Parse<kParseFlags>(json.data(), json.size());
  if (doc.HasParseError())
    return Status::InvalidArgument("offset " + std::to_string(doc.GetErrorOffset()) + ": " +
                                   rapidjson::GetParseError_En(doc.GetParseError()));
  std::vector<JsonField> out;
  out.reserve(paths.size());
  for (const auto& p : paths) out.push_back(ToField(Resolve(doc, p)));
  return out;
}

std::optional<int64_t> JsonFieldAsInt64(const JsonField& f) {
  if (f.kind != JsonField::Kind::kNumber && f.kind != JsonField::Kind::kString) return std::nullopt;
  const char* b = f.text.data();
  const char* e = b + f.text.size();
  int64_t v = 0;
  auto [p, ec] = std::from_chars(b, e, v);
  if (ec == std::errc() && p == e && b != e) return v;
  if (f.kind != JsonField::Kind::kNumber) return std::nullopt;
  // Floating-point notation: accept only integral values in range.
  char* end = nullptr;
  const std::string s(f.text);
  const double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(d) || d != std::floor(d) || std::fabs(d) >= 9.2e18)
    return std::nullopt;
  return static_cast<int64_t>(d);
}

}  // namespace sluice::pipeline
