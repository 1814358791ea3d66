// DynamoDB expressions (dynamodb/expr): parsing with request-wide placeholder
// checks, then evaluation against an item: condition matching (with and
// without an item), update application, projection, key condition binding;
// plus the value layer's invariants on the results (JSON round trip, key
// encoding round trip, Number text round trip).
//
// Input: byte 0 selects the expression field (Condition, Filter, Update,
// Projection, KeyCondition); then the expression text, a NUL, and optionally
// the item as wire JSON (a fixed item of every type when absent or invalid).
// Placeholders #a #b #r :s :n :l :m :ss :ns :bs :b :t are defined when the
// expression mentions them, so that the unused-placeholder check does not
// reject every input.
#include <rapidjson/document.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "dynamodb/expr/expression_set.h"
#include "dynamodb/value/item_size.h"
#include "dynamodb/value/json.h"
#include "dynamodb/value/key_encoding.h"

namespace ddb = sluice::dynamodb;
namespace expr = sluice::dynamodb::expr;

namespace {

constexpr const char* kFields[] = {"ConditionExpression", "FilterExpression", "UpdateExpression",
                                   "ProjectionExpression", "KeyConditionExpression"};

constexpr const char* kDefaultItem = R"({"a":{"S":"x"},"b":{"N":"-1.5E3"},"c":{"B":"AAEC"},"d":{"BOOL":true},
  "e":{"NULL":true},"f":{"SS":["p","q"]},"g":{"NS":["1","2.5"]},"h":{"BS":["AA=="]},
  "l":{"L":[{"N":"1"},{"M":{"x":{"S":"y"}}},{"L":[]}]},"m":{"M":{"k":{"S":"v"},"n":{"N":"7"}}}})";

struct Placeholder {
  const char* key;
  const char* json;
};
constexpr Placeholder kNames[] = {{"#a", "\"a\""}, {"#b", "\"b\""}, {"#r", "\"status\""}};
constexpr Placeholder kValues[] = {{":ss", R"({"SS":["p","z"]})"},
                                   {":ns", R"({"NS":["2.5","3"]})"},
                                   {":bs", R"({"BS":["AQ=="]})"},
                                   {":s", R"({"S":"x"})"},
                                   {":n", R"({"N":"12345678901234567890123456789012345678"})"},
                                   {":l", R"({"L":[{"S":"x"}]})"},
                                   {":m", R"({"M":{"k":{"S":"v"}}})"},
                                   {":b", R"({"B":"AA=="})"},
                                   {":t", R"({"S":"NS"})"}};

bool Mentions(std::string_view text, std::string_view key) {
  for (size_t at = text.find(key); at != std::string_view::npos; at = text.find(key, at + 1)) {
    size_t end = at + key.size();
    char next = end < text.size() ? text[end] : ' ';
    bool name_char =
        (next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') || (next >= '0' && next <= '9') || next == '_';
    if (!name_char) return true;
  }
  return false;
}

std::string Quoted(std::string_view text) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string PlaceholderMap(std::string_view text, const Placeholder* begin, const Placeholder* end) {
  std::string out;
  for (const Placeholder* p = begin; p != end; ++p) {
    if (!Mentions(text, p->key)) continue;
    out += out.empty() ? "{" : ",";
    out += "\"" + std::string(p->key) + "\":" + p->json;
  }
  return out.empty() ? out : out + "}";
}

ddb::Item ParseItemOr(std::string_view json, const char* fallback) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (!d.HasParseError()) {
    auto item = ddb::ParseItem(d);
    if (item.ok()) return std::move(item).value();
  }
  d.Parse(fallback);
  return ddb::ParseItem(d).value();
}

// Everything written out reads back as the same item.
void CheckRoundTrip(const ddb::Item& item) {
  std::string text = ddb::ItemToJsonText(item);
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  auto back = ddb::ParseItem(d);
  if (!back.ok() || back.value() != item) std::abort();
  for (const auto& [name, value] : item) {
    auto encoded = ddb::EncodeKeyValue(value);
    if (!encoded.ok()) continue;
    auto decoded = ddb::DecodeKeyValue(value.type(), encoded.value());
    if (!decoded.ok() || decoded.value() != value) std::abort();
    (void)ddb::PartitionHash(value);
  }
  (void)ddb::ItemSize(item);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const char* field = kFields[data[0] % 5];
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  size_t nul = rest.find('\0');
  std::string_view expression = rest.substr(0, nul);
  std::string_view item_json = nul == std::string_view::npos ? std::string_view() : rest.substr(nul + 1);

  // Any text that parses as a number prints and parses back to itself.
  if (auto n = ddb::Number::Parse(expression); n.ok()) {
    auto again = ddb::Number::Parse(n->ToString());
    if (!again.ok() || again.value() != n.value() || again->ToString() != n->ToString()) std::abort();
  }

  std::string request = "{\"" + std::string(field) + "\":" + Quoted(expression);
  std::string names = PlaceholderMap(expression, std::begin(kNames), std::end(kNames));
  std::string values = PlaceholderMap(expression, std::begin(kValues), std::end(kValues));
  if (!names.empty()) request += ",\"ExpressionAttributeNames\":" + names;
  if (!values.empty()) request += ",\"ExpressionAttributeValues\":" + values;
  request += "}";
  rapidjson::Document doc;
  doc.Parse(request.c_str(), request.size());
  if (doc.HasParseError()) return 0;  // not valid UTF-8 JSON text
  auto set = expr::ExpressionSet::FromRequest(doc);
  if (!set.ok()) {
    if (set.status().message().empty()) std::abort();
    return 0;
  }

  ddb::Item item = ParseItemOr(item_json, kDefaultItem);
  CheckRoundTrip(item);
  for (const auto* condition : {set->condition ? &*set->condition : nullptr, set->filter ? &*set->filter : nullptr}) {
    if (!condition) continue;
    (void)condition->Matches(&item);
    (void)condition->Matches(nullptr);
    (void)condition->TopLevelNames();
  }
  if (set->update) {
    ddb::Item updated = item;
    auto st = set->update->Apply(updated);
    if (!st.ok() && updated != item) std::abort();  // a failed update changes nothing
    CheckRoundTrip(updated);
    ddb::Item fresh;
    (void)set->update->Apply(fresh);
    (void)set->update->Paths();
  }
  if (set->projection) CheckRoundTrip(set->projection->Apply(item));
  if (set->key_condition) {
    auto q = set->key_condition->Bind("a", std::string_view("b"));
    if (q.ok() && q->range) {
      for (const auto& [name, value] : item) (void)q->range->Matches(value);
    }
    (void)set->key_condition->Bind("a", std::nullopt);
  }
  return 0;
}
