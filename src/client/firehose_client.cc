#include "sluice/firehose_client.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <thread>

#include "client/aws_json_client.h"
#include "client/endpoint.h"
#include "codec/base64.h"

namespace sluice::client {

namespace {
const JsonProtocol kFirehoseProtocol{"Firehose_20150804", "firehose"};
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// The account field of "arn:aws:kinesis:<region>:<account>:stream/<name>", or "".
std::string ParseArnAccount(const std::string& arn) {
  size_t at = 0;
  for (int i = 0; i < 4; ++i) {
    at = arn.find(':', at);
    if (at == std::string::npos) return "";
    ++at;
  }
  size_t end = arn.find(':', at);
  return end == std::string::npos ? "" : arn.substr(at, end - at);
}

ApiError Malformed(const std::string& what) {
  ApiError e;
  e.kind = ErrorKind::kMalformedResponse;
  e.message = what;
  return e;
}

void WriteDestination(Writer& w, const firehose::S3Destination& d) {
  w.Key("ExtendedS3DestinationConfiguration");
  w.StartObject();
  w.Key("RoleARN");
  w.String(d.role_arn.c_str());
  w.Key("BucketARN");
  w.String(d.bucket_arn.c_str());
  if (!d.prefix.empty()) {
    w.Key("Prefix");
    w.String(d.prefix.c_str());
  }
  if (!d.error_output_prefix.empty()) {
    w.Key("ErrorOutputPrefix");
    w.String(d.error_output_prefix.c_str());
  }
  w.Key("BufferingHints");
  w.StartObject();
  w.Key("SizeInMBs");
  w.Int(d.buffering_size_mb);
  w.Key("IntervalInSeconds");
  w.Int(d.buffering_interval_s);
  w.EndObject();
  w.Key("CompressionFormat");
  w.String(d.compression.c_str());
  if (!d.delimiter.empty()) {
    w.Key("ProcessingConfiguration");
    w.StartObject();
    w.Key("Enabled");
    w.Bool(true);
    w.Key("Processors");
    w.StartArray();
    w.StartObject();
    w.Key("Type");
    w.String("AppendDelimiterToRecord");
    w.Key("Parameters");
    w.StartArray();
    w.StartObject();
    w.Key("ParameterName");
    w.String("Delimiter");
    w.Key("ParameterValue");
    w.String(d.delimiter.c_str());
    w.EndObject();
    w.EndArray();
    w.EndObject();
    w.EndArray();
    w.EndObject();
  }
  w.EndObject();
}
}  // namespace

ApiResult<std::unique_ptr<FirehoseClient>> FirehoseClient::Create(ClientOptions options) {
  auto rpc = AwsJsonClient::Create(std::move(options), kFirehoseProtocol);
  if (!rpc.ok()) return rpc.error();
  return std::unique_ptr<FirehoseClient>(new FirehoseClient(std::move(rpc.value())));
}

ApiResult<std::unique_ptr<FirehoseClient>> FirehoseClient::FromEnvironment(const ConfigOptions& config,
                                                                           ClientOptions options) {
  auto resolved = ResolveClientOptions(config, std::move(options), ServiceNames{"Firehose", "firehose"});
  if (!resolved.ok()) return resolved.error();
  return Create(std::move(resolved.value()));
}

FirehoseClient::FirehoseClient(std::unique_ptr<AwsJsonClient> rpc) : rpc_(std::move(rpc)) {}
FirehoseClient::~FirehoseClient() = default;

const ClientOptions& FirehoseClient::options() const { return rpc_->options(); }

ApiResult<std::string> FirehoseClient::CreateDeliveryStream(const firehose::CreateDeliveryStreamRequest& request) {
  firehose::CreateDeliveryStreamRequest r = request;
  if (r.destination.role_arn.empty()) {
    auto endpoint = ParseEndpointUrl(options().config.endpoint_url);
    if (!endpoint.ok() || !endpoint->is_loopback()) {
      ApiError e;
      e.kind = ErrorKind::kInvalidArgument;
      e.message =
          "a delivery stream on AWS needs the ARN of the IAM role Firehose writes to S3 with (RoleARN; "
          "`sluice firehose create --role-arn`); see docs/aws.md";
      return e;
    }
    // A local server checks no IAM: a role of the stream's account.
    std::string account = "000000000000";
    if (auto arn = ParseArnAccount(r.kinesis_stream_arn); !arn.empty()) account = arn;
    r.destination.role_arn = "arn:aws:iam::" + account + ":role/sluice-firehose-delivery";
  }
  if (r.kinesis_role_arn.empty()) r.kinesis_role_arn = r.destination.role_arn;
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("DeliveryStreamName");
  w.String(r.name.c_str());
  w.Key("DeliveryStreamType");
  w.String(r.type.c_str());
  if (r.type == "KinesisStreamAsSource") {
    w.Key("KinesisStreamSourceConfiguration");
    w.StartObject();
    w.Key("KinesisStreamARN");
    w.String(r.kinesis_stream_arn.c_str());
    w.Key("RoleARN");
    w.String(r.kinesis_role_arn.c_str());
    w.EndObject();
  }
  WriteDestination(w, r.destination);
  w.EndObject();
  auto out = rpc_->Call("CreateDeliveryStream", std::string(sb.GetString(), sb.GetSize()));
  if (!out.ok()) return out.error();
  rapidjson::Document d;
  d.Parse(out.value().c_str());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("DeliveryStreamARN") || !d["DeliveryStreamARN"].IsString())
    return Malformed("CreateDeliveryStream: no DeliveryStreamARN");
  return std::string(d["DeliveryStreamARN"].GetString());
}

ApiResult<firehose::DeliveryStreamStatus> FirehoseClient::DescribeDeliveryStream(const std::string& name) {
  std::string body = "{\"DeliveryStreamName\":\"" + name + "\"}";
  auto out = rpc_->Call("DescribeDeliveryStream", std::move(body));
  if (!out.ok()) return out.error();
  rapidjson::Document d;
  d.Parse(out.value().c_str());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("DeliveryStreamDescription"))
    return Malformed("DescribeDeliveryStream: no DeliveryStreamDescription");
  const auto& desc = d["DeliveryStreamDescription"];
  firehose::DeliveryStreamStatus s;
  if (desc.HasMember("DeliveryStreamStatus") && desc["DeliveryStreamStatus"].IsString())
    s.status = desc["DeliveryStreamStatus"].GetString();
  if (desc.HasMember("VersionId") && desc["VersionId"].IsString()) s.version_id = desc["VersionId"].GetString();
  if (desc.HasMember("DeliveryStreamARN") && desc["DeliveryStreamARN"].IsString())
    s.arn = desc["DeliveryStreamARN"].GetString();
  auto member = [](const rapidjson::Value& v, const char* key) -> const rapidjson::Value* {
    if (!v.IsObject()) return nullptr;
    auto it = v.FindMember(key);
    return it == v.MemberEnd() ? nullptr : &it->value;
  };
  if (const auto* dests = member(desc, "Destinations"); dests && dests->IsArray()) {
    for (const auto& dest : dests->GetArray()) {
      const auto* s3 = member(dest, "ExtendedS3DestinationDescription");
      const auto* proc = s3 ? member(*s3, "ProcessingConfiguration") : nullptr;
      const auto* enabled = proc ? member(*proc, "Enabled") : nullptr;
      const auto* processors = proc ? member(*proc, "Processors") : nullptr;
      if (!enabled || !enabled->IsBool() || !enabled->GetBool() || !processors || !processors->IsArray()) continue;
      for (const auto& p : processors->GetArray()) {
        const auto* type = member(p, "Type");
        if (type && type->IsString() && std::string_view(type->GetString()) == "AppendDelimiterToRecord")
          s.appends_delimiter = true;
      }
    }
  }
  return s;
}

ApiResult<firehose::DeliveryStreamStatus> FirehoseClient::WaitForActive(const std::string& name,
                                                                        std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto s = DescribeDeliveryStream(name);
    if (s.ok() && s.value().status == "ACTIVE") return s;
    if (!s.ok() && s.error().type != "ResourceNotFoundException") return s;
    if (std::chrono::steady_clock::now() >= deadline) {
      ApiError e;
      e.kind = ErrorKind::kTimeout;
      e.message = "delivery stream " + name + " did not become ACTIVE";
      return e;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

ApiResult<firehose::PutRecordBatchResult> FirehoseClient::PutRecordBatch(const std::string& name,
                                                                         const std::vector<std::string>& records) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("DeliveryStreamName");
  w.String(name.c_str());
  w.Key("Records");
  w.StartArray();
  std::string b64;
  for (const auto& r : records) {
    w.StartObject();
    w.Key("Data");
    b64 = codec::Base64Encode(r);
    w.String(b64.c_str(), static_cast<rapidjson::SizeType>(b64.size()));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  auto out = rpc_->Call("PutRecordBatch", std::string(sb.GetString(), sb.GetSize()));
  if (!out.ok()) return out.error();
  rapidjson::Document d;
  d.Parse(out.value().c_str());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("RequestResponses") || !d["RequestResponses"].IsArray())
    return Malformed("PutRecordBatch: no RequestResponses");
  firehose::PutRecordBatchResult res;
  if (d.HasMember("FailedPutCount") && d["FailedPutCount"].IsInt()) res.failed_put_count = d["FailedPutCount"].GetInt();
  for (const auto& e : d["RequestResponses"].GetArray()) {
    res.record_ids.push_back(e.HasMember("RecordId") && e["RecordId"].IsString() ? e["RecordId"].GetString() : "");
    res.error_codes.push_back(e.HasMember("ErrorCode") && e["ErrorCode"].IsString() ? e["ErrorCode"].GetString() : "");
  }
  return res;
}

ApiResult<bool> FirehoseClient::DeleteDeliveryStream(const std::string& name) {
  auto out = rpc_->Call("DeleteDeliveryStream", "{\"DeliveryStreamName\":\"" + name + "\"}");
  if (!out.ok()) return out.error();
  return true;
}

}  // namespace sluice::client
