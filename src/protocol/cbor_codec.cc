#include "protocol/cbor_codec.h"

#include <cbor.h>

#include <cmath>
#include <limits>
#include <map>
#include <memory>

#include "codec/base64.h"
#include "codec/event_stream.h"
#include "protocol/json_reply.h"

namespace sluice::protocol {

namespace {

constexpr int kMaxDepth = 64;
constexpr uint64_t kTagEpochTime = 1;

using Alloc = rapidjson::Document::AllocatorType;

struct ItemDeleter {
  void operator()(cbor_item_t* item) const { cbor_decref(&item); }
};
using ItemPtr = std::unique_ptr<cbor_item_t, ItemDeleter>;

const Shape* MemberShape(const Shape* shape, std::string_view name) {
  if (!shape || shape->type != ShapeType::kStructure) return nullptr;
  for (const Member& m : shape->members)
    if (m.name == name) return m.shape;
  return nullptr;
}

bool IsTimestamp(const Shape* shape) { return shape && shape->type == ShapeType::kTimestamp; }

// Bytes of a (possibly chunked) byte or text string.
std::string StringBytes(const cbor_item_t* item) {
  bool bytes = cbor_isa_bytestring(item);
  bool definite = bytes ? cbor_bytestring_is_definite(item) : cbor_string_is_definite(item);
  if (definite) {
    const unsigned char* data = bytes ? cbor_bytestring_handle(item) : cbor_string_handle(item);
    size_t n = bytes ? cbor_bytestring_length(item) : cbor_string_length(item);
    return n ? std::string(reinterpret_cast<const char*>(data), n) : std::string();
  }
  std::string out;
  size_t count = bytes ? cbor_bytestring_chunk_count(item) : cbor_string_chunk_count(item);
  cbor_item_t** chunks = bytes ? cbor_bytestring_chunks_handle(item) : cbor_string_chunks_handle(item);
  for (size_t i = 0; i < count; ++i) out += StringBytes(chunks[i]);
  return out;
}

// A number in a timestamp member: epoch milliseconds, to JSON's seconds.
void SetTimestamp(double millis, rapidjson::Value& v) { v.SetDouble(millis / 1000.0); }

Status Convert(const cbor_item_t* item, const Shape* shape, rapidjson::Value& v, Alloc& a, int depth) {
  if (depth > kMaxDepth) return Status::InvalidArgument("CBOR nesting is too deep");
  switch (cbor_typeof(item)) {
    case CBOR_TYPE_UINT: {
      uint64_t n = cbor_get_int(item);
      if (IsTimestamp(shape)) SetTimestamp(static_cast<double>(n), v);
      else v.SetUint64(n);
      return Status::Ok();
    }
    case CBOR_TYPE_NEGINT: {
      uint64_t n = cbor_get_int(item);  // the value is -1 - n
      if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        return Status::InvalidArgument("CBOR integer out of range");
      int64_t value = -1 - static_cast<int64_t>(n);
      if (IsTimestamp(shape)) SetTimestamp(static_cast<double>(value), v);
      else v.SetInt64(value);
      return Status::Ok();
    }
    case CBOR_TYPE_BYTESTRING: {
      if (shape && shape->type != ShapeType::kBlob)
        return Status::InvalidArgument("Unexpected byte string for a non-blob member " + shape->name);
      v.SetString(codec::Base64Encode(StringBytes(item)), a);
      return Status::Ok();
    }
    case CBOR_TYPE_STRING: v.SetString(StringBytes(item), a); return Status::Ok();
    case CBOR_TYPE_ARRAY: {
      const Shape* element = shape && shape->type == ShapeType::kList ? shape->member : nullptr;
      v.SetArray();
      size_t n = cbor_array_size(item);
      cbor_item_t** items = cbor_array_handle(item);
      for (size_t i = 0; i < n; ++i) {
        rapidjson::Value e;
        SLUICE_RETURN_IF_ERROR(Convert(items[i], element, e, a, depth + 1));
        v.PushBack(e, a);
      }
      return Status::Ok();
    }
    case CBOR_TYPE_MAP: {
      v.SetObject();
      size_t n = cbor_map_size(item);
      cbor_pair* pairs = cbor_map_handle(item);
      for (size_t i = 0; i < n; ++i) {
        if (!cbor_isa_string(pairs[i].key)) return Status::InvalidArgument("CBOR map keys must be text strings");
        std::string name = StringBytes(pairs[i].key);
        const Shape* value_shape = shape && shape->type == ShapeType::kMap ? shape->value : MemberShape(shape, name);
        rapidjson::Value value;
        SLUICE_RETURN_IF_ERROR(Convert(pairs[i].value, value_shape, value, a, depth + 1));
        v.AddMember(rapidjson::Value(name, a), value, a);
      }
      return Status::Ok();
    }
    case CBOR_TYPE_TAG: {
      // Tag 1 marks a timestamp (milliseconds on this protocol) even where
      // the model does not say so.
      static const Shape kTimestamp = [] {
        Shape t;
        t.name = "Timestamp";
        t.type = ShapeType::kTimestamp;
        return t;
      }();
      ItemPtr inner(cbor_tag_item(item));
      const Shape* inner_shape = cbor_tag_value(item) == kTagEpochTime && !shape ? &kTimestamp : shape;
      return Convert(inner.get(), inner_shape, v, a, depth + 1);
    }
    case CBOR_TYPE_FLOAT_CTRL: {
      if (cbor_float_ctrl_is_ctrl(item)) {
        switch (cbor_ctrl_value(item)) {
          case CBOR_CTRL_TRUE: v.SetBool(true); return Status::Ok();
          case CBOR_CTRL_FALSE: v.SetBool(false); return Status::Ok();
          case CBOR_CTRL_NULL:
          case CBOR_CTRL_UNDEF: v.SetNull(); return Status::Ok();
          default: return Status::InvalidArgument("Unsupported CBOR simple value");
        }
      }
      double d = cbor_float_get_float(item);
      if (!std::isfinite(d)) return Status::InvalidArgument("CBOR number is not finite");
      if (IsTimestamp(shape)) SetTimestamp(d, v);
      else v.SetDouble(d);
      return Status::Ok();
    }
  }
  return Status::InvalidArgument("Unsupported CBOR item");
}

// Checks that `b` holds one well-formed item at `at` whose declared lengths
// fit in the bytes that are there, nesting at most kMaxDepth, and moves `at`
// past it. Run before libcbor, which allocates what a header declares: a
// 9-byte array header could otherwise ask for gigabytes.
bool Scan(std::string_view b, size_t& at, int depth) {
  if (depth > kMaxDepth || at >= b.size()) return false;
  uint8_t ib = static_cast<uint8_t>(b[at++]);
  uint8_t major = ib >> 5, ai = ib & 31;
  uint64_t n = ai;
  bool indefinite = ai == 31;
  if (ai >= 24 && ai <= 27) {
    size_t size = size_t{1} << (ai - 24);
    if (b.size() - at < size) return false;
    n = 0;
    for (size_t i = 0; i < size; ++i) n = (n << 8) | static_cast<uint8_t>(b[at++]);
  } else if (ai >= 28 && ai <= 30) {
    return false;
  }
  size_t left = b.size() - at;
  auto until_break = [&](auto&& item) {
    while (at < b.size() && static_cast<uint8_t>(b[at]) != 0xFF)
      if (!item()) return false;
    if (at >= b.size()) return false;
    ++at;  // the break
    return true;
  };
  switch (major) {
    case 0:
    case 1: return !indefinite;
    case 2:
    case 3:
      if (indefinite)  // chunks: definite strings of the same major type
        return until_break([&] {
          return (static_cast<uint8_t>(b[at]) >> 5) == major && (static_cast<uint8_t>(b[at]) & 31) != 31 &&
                 Scan(b, at, depth + 1);
        });
      if (n > left) return false;
      at += n;
      return true;
    case 4:
    case 5: {
      if (indefinite)
        return until_break([&] { return Scan(b, at, depth + 1) && (major == 4 || Scan(b, at, depth + 1)); });
      uint64_t items = major == 5 ? 2 * n : n;
      if (n > left || items > left) return false;  // every item takes at least a byte
      for (uint64_t i = 0; i < items; ++i)
        if (!Scan(b, at, depth + 1)) return false;
      return true;
    }
    case 6: return !indefinite && Scan(b, at, depth + 1);
    default:  // 7: simple values and floats (their bytes were read above); a lone break is not an item
      return !indefinite;
  }
}

// --- encoding ---------------------------------------------------------------

class Encoder {
 public:
  void Head(size_t (*encode)(uint64_t, unsigned char*, size_t), uint64_t n) {
    unsigned char buf[9];
    out_.append(reinterpret_cast<char*>(buf), encode(n, buf, sizeof buf));
  }
  void Uint(uint64_t n) { Head(cbor_encode_uint, n); }
  void Int(int64_t n) {
    if (n >= 0) Uint(static_cast<uint64_t>(n));
    else Head(cbor_encode_negint, static_cast<uint64_t>(-(n + 1)));
  }
  void Text(std::string_view s) {
    Head([](uint64_t n, unsigned char* b, size_t c) { return cbor_encode_string_start(n, b, c); }, s.size());
    out_.append(s);
  }
  void Bytes(std::string_view s) {
    Head([](uint64_t n, unsigned char* b, size_t c) { return cbor_encode_bytestring_start(n, b, c); }, s.size());
    out_.append(s);
  }
  void Double(double d) {
    unsigned char buf[9];
    out_.append(reinterpret_cast<char*>(buf), cbor_encode_double(d, buf, sizeof buf));
  }
  void Bool(bool b) {
    unsigned char buf[1];
    out_.append(reinterpret_cast<char*>(buf), cbor_encode_bool(b, buf, sizeof buf));
  }
  void Null() {
    unsigned char buf[1];
    out_.append(reinterpret_cast<char*>(buf), cbor_encode_null(buf, sizeof buf));
  }

  void Value(const rapidjson::Value& v, const Shape* shape) {
    if (v.IsObject()) {
      Head([](uint64_t n, unsigned char* b, size_t c) { return cbor_encode_map_start(n, b, c); }, v.MemberCount());
      for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
        std::string_view name(m->name.GetString(), m->name.GetStringLength());
        Text(name);
        Value(m->value, shape && shape->type == ShapeType::kMap ? shape->value : MemberShape(shape, name));
      }
    } else if (v.IsArray()) {
      Head([](uint64_t n, unsigned char* b, size_t c) { return cbor_encode_array_start(n, b, c); }, v.Size());
      const Shape* element = shape && shape->type == ShapeType::kList ? shape->member : nullptr;
      for (const auto& e : v.GetArray()) Value(e, element);
    } else if (v.IsString()) {
      std::string_view s(v.GetString(), v.GetStringLength());
      if (shape && shape->type == ShapeType::kBlob) {
        std::string raw;
        if (codec::Base64DecodeAppend(s, &raw)) return Bytes(raw);
      }
      Text(s);
    } else if (v.IsNumber()) {
      if (IsTimestamp(shape)) {
        Head(cbor_encode_tag, kTagEpochTime);
        return Int(static_cast<int64_t>(std::llround(v.GetDouble() * 1000.0)));
      }
      if (v.IsUint64()) Uint(v.GetUint64());
      else if (v.IsInt64()) Int(v.GetInt64());
      else Double(v.GetDouble());
    } else if (v.IsBool()) {
      Bool(v.GetBool());
    } else {
      Null();
    }
  }

  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

void SetContentType(wire::Response& r) {
  for (auto& [name, value] : r.headers)
    if (name == "Content-Type") value = std::string(kCborContentType);
}

}  // namespace

bool IsCborContentType(std::string_view content_type) {
  return content_type.find("application/x-amz-cbor") != std::string_view::npos;
}

Status CborToJson(const Shape& shape, std::string_view body, rapidjson::Document& out) {
  if (body.empty()) {
    out.SetObject();
    return Status::Ok();
  }
  size_t scanned = 0;
  if (!Scan(body, scanned, 0))
    return Status::InvalidArgument("Malformed CBOR: truncated, too deeply nested, or a length beyond the body");
  if (scanned != body.size())
    return Status::InvalidArgument("Trailing bytes after the CBOR item at offset " + std::to_string(scanned));
  cbor_load_result result{};
  ItemPtr item(cbor_load(reinterpret_cast<cbor_data>(body.data()), body.size(), &result));
  if (!item || result.error.code != CBOR_ERR_NONE)
    return Status::InvalidArgument("Malformed CBOR at offset " + std::to_string(result.error.position));
  if (result.read != body.size())
    return Status::InvalidArgument("Trailing bytes after the CBOR item at offset " + std::to_string(result.read));
  if (!cbor_isa_map(item.get())) return Status::InvalidArgument("The CBOR request body must be a map");
  return Convert(item.get(), &shape, out, out.GetAllocator(), 0);
}

Result<std::string> JsonToCbor(const Shape* shape, std::string_view json) {
  rapidjson::Document doc;
  if (json.empty()) doc.SetObject();
  else doc.Parse<rapidjson::kParseIterativeFlag>(json.data(), json.size());
  if (doc.HasParseError()) return Status::InvalidArgument("JSON to encode as CBOR does not parse");
  Encoder e;
  e.Value(doc, shape);
  return e.Take();
}

wire::Response CborSuccess(const Shape* output, std::string_view json_body, const std::string& request_id) {
  Result<std::string> body = JsonToCbor(output, json_body);
  if (!body.ok()) return CborError(ApiError::InternalFailure("Internal service failure."), request_id);
  wire::Response r = JsonSuccess(std::move(body).value(), request_id);
  SetContentType(r);
  return r;
}

wire::Response CborError(const ApiError& error, const std::string& request_id) {
  wire::Response r = JsonError(error, request_id);
  Encoder e;
  e.Head([](uint64_t n, unsigned char* b, size_t c) { return cbor_encode_map_start(n, b, c); },
         error.message.empty() ? 1 : 2);
  e.Text("__type");
  e.Text(error.type);
  if (!error.message.empty()) {
    e.Text("message");
    e.Text(error.message);
  }
  r.body = e.Take();
  SetContentType(r);
  return r;
}

namespace {

class CborEvents final : public wire::BodySource, public std::enable_shared_from_this<CborEvents> {
 public:
  CborEvents(std::shared_ptr<wire::BodySource> source, const Shape* output) : source_(std::move(source)) {
    // output -> its event-stream member -> the structure of each event type.
    if (output)
      for (const Member& m : output->members)
        if (m.shape && m.shape->type == ShapeType::kStructure)
          for (const Member& e : m.shape->members) events_[e.name] = e.shape;
  }
  void Pull(Deliver deliver) override {
    // The transport may drop this wrapper while the source still holds the
    // callback (a reset stream): keep it alive until the callback ran.
    source_->Pull([self = shared_from_this(), deliver = std::move(deliver)](std::string bytes, bool last) {
      deliver(self->Convert(bytes), last);
    });
  }
  void Cancel() override { source_->Cancel(); }

 private:
  std::string Convert(std::string_view bytes) const {
    std::string out;
    while (!bytes.empty()) {
      size_t used = 0;
      auto m = codec::DecodeEventMessage(bytes, &used);
      if (!m) return out + std::string(bytes);  // not whole messages: pass through
      bytes.remove_prefix(used);
      auto type = m->Header(":event-type");
      auto it = events_.find(std::string(type));
      auto cbor = JsonToCbor(it == events_.end() ? nullptr : it->second, m->payload);
      if (cbor.ok()) {  // else the payload passes through as JSON
        m->payload = std::move(cbor).value();
        for (auto& [name, value] : m->headers)
          if (name == ":content-type") value = std::string(kCborContentType);
      }
      out += codec::EncodeEventMessage(m->headers, m->payload);
    }
    return out;
  }

  std::shared_ptr<wire::BodySource> source_;
  std::map<std::string, const Shape*> events_;
};

}  // namespace

std::shared_ptr<wire::BodySource> CborEventStream(std::shared_ptr<wire::BodySource> source, const Shape* output) {
  return std::make_shared<CborEvents>(std::move(source), output);
}

}  // namespace sluice::protocol
