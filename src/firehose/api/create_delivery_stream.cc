// CreateDeliveryStream: DirectPut or KinesisStreamAsSource, to an S3
// destination (S3DestinationConfiguration or ExtendedS3DestinationConfiguration)
// with AWS's defaults for everything left out.
#include "base/mutex.h"
#include "firehose/api/handlers.h"
#include "kinesis/catalog.h"
#include "model/arn.h"

namespace sluice::firehose::api {

namespace {

constexpr const char* kOtherDestinations[] = {
    "RedshiftDestinationConfiguration",
    "ElasticsearchDestinationConfiguration",
    "AmazonopensearchserviceDestinationConfiguration",
    "SplunkDestinationConfiguration",
    "HttpEndpointDestinationConfiguration",
    "AmazonOpenSearchServerlessDestinationConfiguration",
    "SnowflakeDestinationConfiguration",
    "IcebergDestinationConfiguration",
};

}  // namespace

void CreateDeliveryStream(Context& ctx, const rapidjson::Value& in, Reply reply) {
  DeliveryStreamConfig c;
  c.region = ctx.region;
  c.account = ctx.account();
  c.name = GetString(in, "DeliveryStreamName").value_or("");
  std::string type_name = GetString(in, "DeliveryStreamType").value_or("DirectPut");
  std::optional<DeliveryStreamType> type = ParseDeliveryStreamType(type_name);
  if (!type)
    return reply(ApiError::InvalidArgument("DeliveryStreamType " + type_name +
                                           " is not supported; use DirectPut or KinesisStreamAsSource."));
  c.type = *type;
  for (const char* m : {"MSKSourceConfiguration", "DatabaseSourceConfiguration"})
    if (in.HasMember(m)) return reply(ApiError::InvalidArgument(std::string(m) + " is not supported."));

  const rapidjson::Value* source = GetObject(in, "KinesisStreamSourceConfiguration");
  if (c.type == DeliveryStreamType::kKinesisStreamAsSource) {
    if (!source)
      return reply(ApiError::InvalidArgument(
          "KinesisStreamSourceConfiguration is required when DeliveryStreamType is KinesisStreamAsSource."));
    if (in.HasMember("DirectPutSourceConfiguration"))
      return reply(ApiError::InvalidArgument(
          "DirectPutSourceConfiguration is only allowed when DeliveryStreamType is DirectPut."));
    c.source_stream_arn = GetString(*source, "KinesisStreamARN").value_or("");
    c.source_role_arn = GetString(*source, "RoleARN").value_or("");
    auto arn = model::ParseStreamArn(c.source_stream_arn);
    if (!arn || !arn->consumer.empty())
      return reply(ApiError::InvalidArgument("Invalid KinesisStreamARN " + c.source_stream_arn + "."));
    kinesis::StreamCatalog* k = ctx.catalog.kinesis();
    auto stream = k && arn->account == ctx.account() ? k->Find(arn->region, arn->stream_name) : nullptr;
    bool usable = false;
    if (stream) {
      ReaderLock lk(stream->mu);
      usable = stream->meta().status != kinesis::StreamStatus::kDeleting;
    }
    if (!usable)
      return reply(ApiError::InvalidArgument("Stream " + arn->stream_name + " under account " + arn->account +
                                             " not found (KinesisStreamARN " + c.source_stream_arn + ")."));
  } else if (source) {
    return reply(ApiError::InvalidArgument(
        "KinesisStreamSourceConfiguration is only allowed when DeliveryStreamType is KinesisStreamAsSource."));
  }
  if (const auto* dp = GetObject(in, "DirectPutSourceConfiguration"))
    c.destination.passthrough_json["DirectPutSourceDescription"] = ToJson(*dp);

  for (const char* m : kOtherDestinations)
    if (in.HasMember(m))
      return reply(
          ApiError::InvalidArgument(std::string(m) +
                                    " is not supported: Sluice delivers only to S3 (S3DestinationConfiguration or "
                                    "ExtendedS3DestinationConfiguration)."));
  const rapidjson::Value* s3 = GetObject(in, "S3DestinationConfiguration");
  const rapidjson::Value* ext = GetObject(in, "ExtendedS3DestinationConfiguration");
  if (s3 && ext)
    return reply(ApiError::InvalidArgument(
        "Specify only one of S3DestinationConfiguration and ExtendedS3DestinationConfiguration."));
  if (!s3 && !ext)
    return reply(ApiError::InvalidArgument(
        "A destination is required: S3DestinationConfiguration or ExtendedS3DestinationConfiguration (only S3 "
        "destinations are supported)."));
  c.destination.extended = ext != nullptr;
  if (ApiStatus err = ApplyS3(ext ? *ext : *s3, ext != nullptr, false, c.destination); !err.ok())
    return reply(err.error());
  if (ApiStatus err = ValidateDestination(c.destination); !err.ok()) return reply(err.error());

  if (const auto* enc = GetObject(in, "DeliveryStreamEncryptionConfigurationInput")) {
    if (c.type != DeliveryStreamType::kDirectPut)
      return reply(ApiError::InvalidArgument(
          "Server-side encryption is only supported for delivery streams of type DirectPut; a "
          "KinesisStreamAsSource delivery stream relies on the source stream's encryption."));
    if (ApiStatus err = ApplyEncryptionInput(*enc, c); !err.ok()) return reply(err.error());
  }

  if (auto tags = in.FindMember("Tags"); tags != in.MemberEnd() && tags->value.IsArray()) {
    for (const auto& t : tags->value.GetArray())
      c.tags[GetString(t, "Key").value_or("")] = GetString(t, "Value").value_or("");
    if (c.tags.size() > 50) return reply(ApiError::LimitExceeded("A delivery stream can have at most 50 tags."));
  }
  if (c.type == DeliveryStreamType::kKinesisStreamAsSource)
    c.delivery_start_ms = ctx.catalog.NowMillis();  // LATEST, as AWS

  auto created = ctx.catalog.Create(std::move(c));
  if (!created.ok()) {
    const Status& st = created.status();
    if (st.code() == StatusCode::kAlreadyExists) return reply(ApiError::ResourceInUse(st.message()));
    if (st.code() == StatusCode::kResourceExhausted) return reply(ApiError::LimitExceeded(st.message()));
    return reply(ApiError::InternalFailure("Creating the delivery stream failed: " + st.message()));
  }
  std::string arn;
  {
    MutexLock lk((*created)->mu);
    arn = (*created)->config().arn();
    if ((*created)->config().encryption_enabled) MarkEncryptionTransition(*created, (*created)->config().status_due_ms);
  }
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("DeliveryStreamARN");
  w.String(arn);
  w.EndObject();
  reply(Finish(sb));
}

}  // namespace sluice::firehose::api
