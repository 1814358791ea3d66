#include "s3api/api/context.h"

#include <openssl/rand.h>

#include <cctype>
#include <chrono>
#include <map>

#include "codec/base64.h"

namespace sluice::s3api::api {

namespace {

constexpr const char* kXmlHeader = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

unsigned StatusFor(std::string_view code) {
  static const std::map<std::string_view, unsigned> kStatus = {
      {"NoSuchBucket", 404},
      {"NoSuchKey", 404},
      {"NoSuchUpload", 404},
      {"BucketNotEmpty", 409},
      {"BucketAlreadyOwnedByYou", 409},
      {"BucketAlreadyExists", 409},
      {"InvalidBucketName", 400},
      {"InvalidRange", 416},
      {"MethodNotAllowed", 405},
      {"InvalidPart", 400},
      {"InvalidPartOrder", 400},
      {"EntityTooSmall", 400},
      {"EntityTooLarge", 400},
      {"MalformedXML", 400},
      {"NotImplemented", 501},
      {"InvalidArgument", 400},
      {"KeyTooLongError", 400},
      {"InvalidRequest", 400},
      {"IncompleteBody", 400},
      {"BadDigest", 400},
      {"InvalidDigest", 400},
      {"InvalidURI", 400},
      {"InternalError", 500},
      {"ServiceUnavailable", 503},
      {"InvalidLocationConstraint", 400},
      {"PreconditionFailed", 412},
      {"AccessDenied", 403},
      {"IllegalLocationConstraintException", 400},
  };
  auto it = kStatus.find(code);
  return it == kStatus.end() ? 400 : it->second;
}

}  // namespace

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::optional<int64_t> ParseInt(std::string_view s) {
  std::string t = Trim(s);
  if (t.empty() || t.size() > 12) return std::nullopt;
  int64_t v = 0;
  size_t i = 0;
  bool neg = false;
  if (t[0] == '-') {
    neg = true;
    i = 1;
    if (t.size() == 1) return std::nullopt;
  }
  for (; i < t.size(); ++i) {
    if (t[i] < '0' || t[i] > '9') return std::nullopt;
    v = v * 10 + (t[i] - '0');
  }
  return neg ? -v : v;
}

std::string RandomHex(size_t bytes, bool upper) {
  std::vector<unsigned char> b(bytes);
  RAND_bytes(b.data(), static_cast<int>(b.size()));
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (unsigned char c : b) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

void SetCommonHeaders(wire::Response& r, const std::string& request_id) {
  r.SetHeader("x-amz-request-id", request_id);
  r.SetHeader("x-amz-id-2", codec::Base64Encode(RandomHex(24, false)));
  r.SetHeader("Date", Rfc1123(NowMs()));
  r.SetHeader("Server", "AmazonS3");
}

wire::Response ErrorResponse(const std::string& request_id, bool head, std::string_view code, std::string_view message,
                             const std::string& resource, const Extra& extra) {
  wire::Response r;
  r.status = StatusFor(code);
  SetCommonHeaders(r, request_id);
  if (head) return r;  // HEAD errors carry no body
  r.SetHeader("Content-Type", "application/xml");
  std::string b = kXmlHeader;
  b += "<Error><Code>" + XmlEscape(code) + "</Code><Message>" + XmlEscape(message) + "</Message>";
  for (const auto& [k, v] : extra) b += "<" + k + ">" + XmlEscape(v) + "</" + k + ">";
  b += "<Resource>" + XmlEscape(resource) + "</Resource><RequestId>" + request_id + "</RequestId></Error>";
  r.body = std::move(b);
  return r;
}

wire::Response Context::Error(std::string_view code, std::string_view message, const Extra& extra) const {
  return ErrorResponse(request_id, head, code, message, resource, extra);
}

wire::Response Context::NotImplemented(std::string_view what) const {
  return Error("NotImplemented",
               "A header or query you provided implies functionality that is not implemented: " + std::string(what));
}

wire::Response Context::MethodNotAllowed(std::string_view resource_type) const {
  return Error("MethodNotAllowed", "The specified method is not allowed against this resource.",
               {{"Method", method()}, {"ResourceType", std::string(resource_type)}});
}

wire::Response Context::Xml(std::string body, unsigned status) const {
  wire::Response r;
  r.status = status;
  SetCommonHeaders(r, request_id);
  r.SetHeader("Content-Type", "application/xml");
  r.body = kXmlHeader + body;
  return r;
}

wire::Response Context::Empty(unsigned status) const {
  wire::Response r;
  r.status = status;
  SetCommonHeaders(r, request_id);
  return r;
}

std::string Context::OwnerXml() const {
  return "<Owner><ID>" + XmlEscape(options.owner_id) + "</ID><DisplayName>" + XmlEscape(options.owner_name) +
         "</DisplayName></Owner>";
}

std::optional<wire::Response> Context::ReadPayload(std::string* out) const {
  std::string_view sha = req.Header("x-amz-content-sha256");
  std::string_view enc = req.Header("Content-Encoding");
  bool chunked = sha.substr(0, 10) == "STREAMING-" || Lower(enc).find("aws-chunked") != std::string::npos;
  if (chunked) {
    auto decoded = DecodeAwsChunked(req.body);
    if (!decoded.ok()) return Error("InvalidRequest", decoded.status().message());
    std::string_view dl = req.Header("x-amz-decoded-content-length");
    if (!dl.empty()) {
      auto n = ParseInt(dl);
      if (!n || *n < 0) return Error("InvalidArgument", "x-amz-decoded-content-length is not a valid length");
      if (static_cast<uint64_t>(*n) != decoded->size())
        return Error("IncompleteBody", "The request body terminated unexpectedly");
    }
    *out = std::move(*decoded);
  } else {
    *out = req.body;
  }
  std::string_view md5 = req.Header("Content-MD5");
  if (!md5.empty()) {
    auto raw = codec::Base64Decode(Trim(md5));
    if (!raw.ok() || raw->size() != 16) return Error("InvalidDigest", "The Content-MD5 you specified was invalid.");
    if (*raw != objstore::Md5Raw(*out))
      return Error("BadDigest", "The Content-MD5 you specified did not match what we received.");
  }
  return std::nullopt;
}

objstore::PutOptions Context::PutOptionsFromHeaders() const {
  objstore::PutOptions o;
  std::string_view ct = req.Header("Content-Type");
  o.content_type = ct.empty() ? "binary/octet-stream" : std::string(ct);
  std::string enc;
  std::string_view e = req.Header("Content-Encoding");
  size_t start = 0;
  while (start <= e.size()) {
    size_t comma = e.find(',', start);
    std::string part = Trim(e.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (!part.empty() && Lower(part) != "aws-chunked") enc += (enc.empty() ? "" : ",") + part;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  o.content_encoding = enc;
  for (const auto& [k, v] : req.headers) {
    std::string lk = Lower(k);
    if (lk.size() > 11 && lk.compare(0, 11, "x-amz-meta-") == 0) o.metadata[lk.substr(11)] = v;
  }
  return o;
}

std::optional<wire::Response> Context::CheckKey() const {
  if (key.size() > 1024)
    return Error("KeyTooLongError", "Your key is too long",
                 {{"Size", std::to_string(key.size())}, {"MaxSizeAllowed", "1024"}});
  if (!objstore::IsValidKey(key)) return Error("InvalidURI", "Couldn't parse the specified URI.");
  return std::nullopt;
}

void Context::SetObjectHeaders(wire::Response& r, const ObjectInfo& info) {
  r.SetHeader("ETag", info.etag);
  r.SetHeader("Last-Modified", Rfc1123(info.last_modified_ms));
  r.SetHeader("Accept-Ranges", "bytes");
  r.SetHeader("Content-Type", info.content_type.empty() ? "binary/octet-stream" : info.content_type);
  if (!info.content_encoding.empty()) r.SetHeader("Content-Encoding", info.content_encoding);
  for (const auto& [k, v] : info.metadata) r.SetHeader("x-amz-meta-" + k, v);
}

}  // namespace sluice::s3api::api
