// What every Firehose action handler receives, and the helpers they share.
// A handler validates what the botocore model cannot express (the router has
// already checked types, required members, lengths, ranges, enums and
// patterns), acts on the DeliveryCatalog and answers exactly once through
// `reply` — synchronously, or from the group-commit thread for puts.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <memory>
#include <optional>
#include <string>

#include "firehose/catalog.h"
#include "protocol/api_error.h"
#include "protocol/json_input.h"

namespace sluice::firehose::api {

using protocol::ApiError;
using protocol::ApiStatus;
using protocol::Outcome;
using protocol::Reply;
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

struct Context {
  DeliveryCatalog& catalog;
  std::string region;
  const std::string& account() const { return catalog.options().account; }
};

using Handler = void (*)(Context& ctx, const rapidjson::Value& input, Reply reply);

// --- input helpers (types already checked by the validator) ---
const rapidjson::Value* GetObject(const rapidjson::Value& in, const char* name);
using protocol::GetBool;
using protocol::GetInt;
using protocol::GetString;
std::string ToJson(const rapidjson::Value& v);

// --- errors, worded as Firehose words them ---
ApiError NotFound(const Context& ctx, const std::string& name);
ApiError NotActive(const Context& ctx, const DeliveryStreamConfig& c);
ApiError ConcurrentModification(std::string message);
ApiError InvalidKmsResource(std::string message);

// The delivery stream named by DeliveryStreamName in the request's region,
// or nullptr after replying ResourceNotFoundException.
std::shared_ptr<DeliveryStream> Resolve(Context& ctx, const rapidjson::Value& in, const Reply& reply);

// --- encryption status (ENABLING/DISABLING last transition_ms; not persisted:
// after a restart the transition is over) ---
void MarkEncryptionTransition(const std::shared_ptr<DeliveryStream>& stream, int64_t due_ms);
// DeliveryStreamEncryptionConfiguration.Status (the *_FAILED states never
// occur here). Caller holds stream->mu.
enum class EncryptionStatus { kEnabled, kEnabling, kDisabled, kDisabling };
std::string_view EncryptionStatusName(EncryptionStatus status);  // "ENABLED", ...
EncryptionStatus CurrentEncryptionStatus(const DeliveryStream& stream, int64_t now_ms) REQUIRES(stream.mu);

// DeliveryStreamEncryptionConfigurationInput applied to `c` (encryption.cc).
ApiStatus ApplyEncryptionInput(const rapidjson::Value& in, DeliveryStreamConfig& c);

// --- output helpers ---
void WriteTimestamp(JsonWriter& w, int64_t ms);  // epoch seconds with ms fraction
std::string Finish(const rapidjson::StringBuffer& sb);

// --- the S3 destination (destination.cc) ---
// Applies an S3DestinationConfiguration / ExtendedS3DestinationConfiguration
// (create) or S3DestinationUpdate / ExtendedS3DestinationUpdate (update,
// merge: only the members given change) to `d`.
ApiStatus ApplyS3(const rapidjson::Value& in, bool extended, bool update, S3DestinationConfig& d);
// Checks a complete destination for what the model cannot express.
ApiStatus ValidateDestination(const S3DestinationConfig& d);
// The members of DestinationDescription for `d` (S3DestinationDescription and
// ExtendedS3DestinationDescription).
void WriteDestinationDescription(JsonWriter& w, const S3DestinationConfig& d);

// Every action, looked up by operation name; nullptr when not implemented.
Handler FindHandler(std::string_view operation);

}  // namespace sluice::firehose::api
