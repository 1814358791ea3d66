#include "firehose/format/jq_extractor.h"

#include <climits>

extern "C" {
#include <jq.h>
#include <jv.h>
}

namespace sluice::firehose::format {

namespace {

// Owns one jv reference; every jv API call that consumes is given a copy or a release().
class Jv {
 public:
  explicit Jv(jv v) : v_(v) {}
  ~Jv() { jv_free(v_); }
  Jv(const Jv&) = delete;
  Jv& operator=(const Jv&) = delete;
  jv get() const { return v_; }  // borrowed (for non-consuming calls)
  jv copy() const { return jv_copy(v_); }
  jv_kind kind() const { return jv_get_kind(v_); }

 private:
  jv v_;
};

std::string MessageOf(jv invalid /* consumed */) {
  Jv msg(jv_invalid_get_msg(invalid));
  if (msg.kind() == JV_KIND_STRING) return jv_string_value(msg.get());
  if (msg.kind() == JV_KIND_NULL || msg.kind() == JV_KIND_INVALID) return "unknown jq error";
  Jv dumped(jv_dump_string(msg.copy(), 0));
  return jv_string_value(dumped.get());
}

void CollectError(void* data, jv msg /* consumed */) {
  auto* out = static_cast<std::string*>(data);
  if (!out->empty()) out->append("; ");
  if (jv_get_kind(msg) == JV_KIND_STRING) {
    out->append(jv_string_value(msg));
    jv_free(msg);
  } else {
    Jv dumped(jv_dump_string(msg, 0));
    out->append(jv_string_value(dumped.get()));
  }
}

void IgnoreDebug(void*, jv msg) { jv_free(msg); }

}  // namespace

Result<std::unique_ptr<JqExtractor>> JqExtractor::Compile(std::string_view query) {
  if (query.empty()) return Status::InvalidArgument("MetadataExtractionQuery is empty");
  std::unique_ptr<JqExtractor> x(new JqExtractor());
  x->query_ = std::string(query);
  x->jq_ = jq_init();
  if (x->jq_ == nullptr) return Status::Internal("jq_init failed");
  jq_set_error_cb(x->jq_, CollectError, &x->errors_);
  jq_set_debug_cb(x->jq_, IgnoreDebug, nullptr);
  std::string program = "def env: {}; {} as $ENV | (" + x->query_ + "\n)";
  if (!jq_compile(x->jq_, program.c_str())) {
    std::string msg = x->errors_.empty() ? "compile error" : x->errors_;
    return Status::InvalidArgument("MetadataExtractionQuery '" + x->query_ + "' is not a valid JQ expression: " + msg);
  }
  x->errors_.clear();
  return x;
}

JqExtractor::~JqExtractor() {
  if (jq_ != nullptr) jq_teardown(&jq_);
}

Result<std::map<std::string, std::string>> JqExtractor::Extract(std::string_view json_record) {
  if (json_record.size() > static_cast<size_t>(INT_MAX)) return Status::InvalidArgument("record too large for jq");
  jv input = jv_parse_sized(json_record.data(), static_cast<int>(json_record.size()));
  if (!jv_is_valid(input)) {
    return Status::InvalidArgument("the record is not valid JSON: " + MessageOf(input));
  }
  errors_.clear();
  jq_start(jq_, input, 0);  // consumes input
  Jv result(jq_next(jq_));
  if (result.kind() == JV_KIND_INVALID) {
    if (jv_invalid_has_msg(result.copy())) {
      return Status::InvalidArgument("the MetadataExtractionQuery failed: " + MessageOf(result.copy()));
    }
    return Status::InvalidArgument("the MetadataExtractionQuery produced no output");
  }
  if (result.kind() != JV_KIND_OBJECT) {
    return Status::InvalidArgument("the MetadataExtractionQuery must produce a JSON object");
  }
  std::map<std::string, std::string> out;
  for (int it = jv_object_iter(result.get()); jv_object_iter_valid(result.get(), it);
       it = jv_object_iter_next(result.get(), it)) {
    Jv key(jv_object_iter_key(result.get(), it));
    Jv value(jv_object_iter_value(result.get(), it));
    std::string name = jv_string_value(key.get());
    switch (value.kind()) {
      case JV_KIND_STRING:
        out.emplace(std::move(name), std::string(jv_string_value(value.get()),
                                                 static_cast<size_t>(jv_string_length_bytes(value.copy()))));
        break;
      case JV_KIND_NUMBER:
      case JV_KIND_TRUE:
      case JV_KIND_FALSE: {
        Jv dumped(jv_dump_string(value.copy(), 0));
        out.emplace(std::move(name), jv_string_value(dumped.get()));
        break;
      }
      case JV_KIND_NULL: return Status::InvalidArgument("the partition key value is missing: " + name);
      default: return Status::InvalidArgument("the partition key value is not a string, number or boolean: " + name);
    }
  }
  return out;
}

}  // namespace sluice::firehose::format
