// The AWS CBOR protocol (protocol/cbor_codec.h): a request body decoded with
// the input shape of an operation the first byte picks, then the decoded
// document encoded back with that operation's output shape (the answer path),
// which must decode again as CBOR.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "protocol/cbor_codec.h"
#include "protocol/service_model.h"

namespace proto = sluice::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const proto::ServiceModel& model = data[0] & 0x80 ? proto::ServiceModel::Firehose() : proto::ServiceModel::Kinesis();
  static const std::vector<std::string> kinesis_ops = proto::ServiceModel::Kinesis().OperationNames();
  static const std::vector<std::string> firehose_ops = proto::ServiceModel::Firehose().OperationNames();
  const auto& ops = data[0] & 0x80 ? firehose_ops : kinesis_ops;
  const std::string& op = ops[(data[0] & 0x7F) % ops.size()];
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);

  rapidjson::Document doc;
  if (!proto::CborToJson(*model.InputShape(op), body, doc).ok()) return 0;  // rejected: fine
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  doc.Accept(w);
  auto cbor = proto::JsonToCbor(model.OutputShape(op), std::string_view(sb.GetString(), sb.GetSize()));
  if (!cbor.ok()) std::abort();  // our own JSON must parse
  // What we encode is well-formed CBOR: it decodes again (as a generic map).
  static const proto::Shape kAnyStructure = [] {
    proto::Shape s;
    s.type = proto::ShapeType::kStructure;
    return s;
  }();
  rapidjson::Document again;
  if (doc.IsObject() && !proto::CborToJson(kAnyStructure, *cbor, again).ok()) std::abort();
  return 0;
}
