#include "s3api/s3_api.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <exception>
#include <iostream>
#include <map>

#include "auth/wire_errors.h"
#include "codec/base64.h"
#include "codec/url.h"
#include "s3api/wire.h"

namespace sluice::s3api {

using objstore::ObjectInfo;

namespace {

constexpr const char* kXmlHeader = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
constexpr const char* kNs = "http://s3.amazonaws.com/doc/2006-03-01/";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
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

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

unsigned StatusFor(std::string_view code) {
  static const std::map<std::string_view, unsigned> kStatus = {
      {"NoSuchBucket", 404},          {"NoSuchKey", 404},
      {"NoSuchUpload", 404},          {"BucketNotEmpty", 409},
      {"BucketAlreadyOwnedByYou", 409}, {"BucketAlreadyExists", 409},
      {"InvalidBucketName", 400},     {"InvalidRange", 416},
      {"MethodNotAllowed", 405},      {"InvalidPart", 400},
      {"InvalidPartOrder", 400},      {"EntityTooSmall", 400},
      {"EntityTooLarge", 400},        {"MalformedXML", 400},
      {"NotImplemented", 501},        {"InvalidArgument", 400},
      {"KeyTooLongError", 400},       {"InvalidRequest", 400},
      {"IncompleteBody", 400},        {"BadDigest", 400},
      {"InvalidDigest", 400},         {"InvalidURI", 400},
      {"InternalError", 500},         {"ServiceUnavailable", 503},
      {"InvalidLocationConstraint", 400}, {"PreconditionFailed", 412},
      {"AccessDenied", 403},          {"IllegalLocationConstraintException", 400},
  };
  auto it = kStatus.find(code);
  return it == kStatus.end() ? 400 : it->second;
}

// The query parameters of a presigned URL (SigV4 X-Amz-*, SigV2 below).
bool IsAuthParam(std::string_view k) {
  return k.substr(0, 6) == "X-Amz-" || k.substr(0, 6) == "x-amz-" || k == "AWSAccessKeyId" || k == "Signature" ||
         k == "Expires";
}

// Parameters of the listing operations (not subresources).
bool IsListParam(std::string_view k) {
  static const char* kParams[] = {"prefix",     "delimiter", "marker",      "max-keys",           "encoding-type",
                                  "list-type",  "start-after", "fetch-owner", "continuation-token", "x-id",
                                  "optional-object-attributes"};
  for (const char* p : kParams)
    if (k == p) return true;
  return IsAuthParam(k);
}

bool IsIgnorableParam(std::string_view k) { return k == "x-id" || k == "versionId" || IsAuthParam(k); }

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

}  // namespace

struct S3Api::Call {
  const wire::Request& req;
  Target target;
  std::string bucket;
  std::string key;
  bool has_bucket = false;
  bool has_key = false;
  std::string request_id;
  std::string resource;
  bool head = false;
};

S3Api::S3Api(std::shared_ptr<objstore::LocalStore> store, S3ApiOptions options)
    : store_(std::move(store)), options_(std::move(options)) {}

void S3Api::Handle(wire::Request request, wire::Responder respond) { respond(Serve(request)); }

namespace {

void Common(wire::Response& r, const std::string& request_id) {
  r.SetHeader("x-amz-request-id", request_id);
  r.SetHeader("x-amz-id-2", codec::Base64Encode(RandomHex(24, false)));
  r.SetHeader("Date", Rfc1123(NowMs()));
  r.SetHeader("Server", "AmazonS3");
}

wire::Response ErrorResponse(const std::string& request_id, bool head, std::string_view code, std::string_view message,
                             const std::string& resource,
                             const std::vector<std::pair<std::string, std::string>>& extra = {}) {
  wire::Response r;
  r.status = StatusFor(code);
  Common(r, request_id);
  if (head) return r;  // HEAD errors carry no body
  r.SetHeader("Content-Type", "application/xml");
  std::string b = kXmlHeader;
  b += "<Error><Code>" + XmlEscape(code) + "</Code><Message>" + XmlEscape(message) + "</Message>";
  for (const auto& [k, v] : extra) b += "<" + k + ">" + XmlEscape(v) + "</" + k + ">";
  b += "<Resource>" + XmlEscape(resource) + "</Resource><RequestId>" + request_id + "</RequestId></Error>";
  r.body = std::move(b);
  return r;
}

wire::Response XmlOk(const std::string& request_id, std::string body, unsigned status = 200) {
  wire::Response r;
  r.status = status;
  Common(r, request_id);
  r.SetHeader("Content-Type", "application/xml");
  r.body = kXmlHeader + body;
  return r;
}

// The request an aws-chunked upload becomes once the verifier has checked and
// decoded its body: a plain unsigned-payload request.
wire::Request WithDecodedBody(const wire::Request& request, std::string body) {
  wire::Request plain{request.method, request.target, {}, std::move(body), request.remote_address};
  for (const auto& [name, value] : request.headers) {
    std::string lname = Lower(name);
    if (lname == "x-amz-content-sha256") continue;
    if (lname == "content-encoding") {
      std::string rest;  // the encodings other than aws-chunked
      size_t pos = 0;
      while (pos <= value.size()) {
        size_t comma = value.find(',', pos);
        if (comma == std::string::npos) comma = value.size();
        std::string part = Trim(std::string_view(value).substr(pos, comma - pos));
        if (!part.empty() && Lower(part) != "aws-chunked") rest += (rest.empty() ? "" : ",") + part;
        pos = comma + 1;
      }
      if (!rest.empty()) plain.headers.emplace_back(name, rest);
      continue;
    }
    plain.headers.emplace_back(name, value);
  }
  plain.headers.emplace_back("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
  return plain;
}

wire::Response AuthErrorResponse(const wire::Request& request, const auth::Failure& failure) {
  auth::WireError e = auth::S3WireError(failure);
  auto target = ParseTarget(request.target);
  wire::Response r = ErrorResponse(RandomHex(8, true), request.method == "HEAD", e.code, e.message,
                                   target.ok() ? target->path : request.target, e.fields);
  r.status = e.status;
  return r;
}

}  // namespace

wire::Response ErrorDocument(std::string_view code, std::string_view message, const std::string& resource,
                             bool head) {
  return ErrorResponse(RandomHex(8, true), head, code, message, resource);
}

wire::Response S3Api::Serve(const wire::Request& request) {
  if (!options_.verifier) return ServeRequest(request);
  static const auth::SigningRules kRules = auth::SigningRules::S3();
  auto outcome = options_.verifier->Verify({request.method, request.target, &request.headers, request.body}, kRules);
  if (auto* failure = std::get_if<auth::Failure>(&outcome)) return AuthErrorResponse(request, *failure);
  if (auto& decoded = std::get<auth::Verified>(outcome).decoded_body)
    return ServeRequest(WithDecodedBody(request, std::move(*decoded)));
  return ServeRequest(request);
}

wire::Response S3Api::ServeRequest(const wire::Request& request) {
  Call call{request, {}, {}, {}, false, false, RandomHex(8, true), "/", request.method == "HEAD"};
  try {
    auto target = ParseTarget(request.target);
    if (!target.ok())
      return ErrorResponse(call.request_id, call.head, "InvalidURI", "Couldn't parse the specified URI.",
                           request.target);
    call.target = std::move(*target);
    const std::string& path = call.target.path;  // starts with '/'
    call.resource = path;
    if (auto vh = VirtualHostBucket(request.Header("Host"), options_.hosts)) {
      call.bucket = *vh;
      call.has_bucket = true;
      call.key = path.substr(1);
      call.has_key = !call.key.empty();
      call.resource = "/" + call.bucket + path;
    } else if (path.size() > 1) {
      size_t slash = path.find('/', 1);
      call.bucket = path.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
      call.has_bucket = !call.bucket.empty();
      if (slash != std::string::npos) {
        call.key = path.substr(slash + 1);
        call.has_key = !call.key.empty();
      }
    }
    return Dispatch(call);
  } catch (const std::exception& e) {
    std::cerr << "sluice: internal error serving S3 " << request.method << " " << request.target << ": " << e.what()
              << "\n";
    return ErrorResponse(call.request_id, call.head, "InternalError",
                         "We encountered an internal error. Please try again.", call.resource);
  }
}

wire::Response S3Api::Dispatch(Call& c) {
  const std::string& m = c.req.method;
  const Target& t = c.target;
  const std::string rid = c.request_id;

  auto err = [&](std::string_view code, std::string_view message,
                 std::vector<std::pair<std::string, std::string>> extra = {}) {
    return ErrorResponse(rid, c.head, code, message, c.resource, extra);
  };
  auto from_status = [&](const Status& st) {
    std::string code = objstore::ErrorCode(st);
    std::string msg = st.message();
    if (!code.empty()) msg = msg.substr(code.size() + 2);
    if (code.empty()) {
      if (st.code() == StatusCode::kUnavailable) code = "ServiceUnavailable";
      else if (st.code() == StatusCode::kInvalidArgument) code = "InvalidArgument";
      else code = "InternalError";
      if (code == "InternalError") std::cerr << "sluice: S3 " << m << " " << c.resource << ": " << msg << "\n";
    }
    std::vector<std::pair<std::string, std::string>> extra;
    if (code == "NoSuchBucket" || code == "BucketNotEmpty" || code == "BucketAlreadyOwnedByYou" ||
        code == "InvalidBucketName")
      extra.emplace_back("BucketName", c.bucket);
    if (code == "NoSuchKey") extra.emplace_back("Key", c.key);
    if (code == "NoSuchUpload") extra.emplace_back("UploadId", t.Get("uploadId").value_or(""));
    return err(code, msg, extra);
  };
  auto not_implemented = [&](std::string_view what) {
    return err("NotImplemented", "A header or query you provided implies functionality that is not implemented: " +
                                     std::string(what));
  };
  auto method_not_allowed = [&](std::string_view type) {
    return err("MethodNotAllowed", "The specified method is not allowed against this resource.",
               {{"Method", m}, {"ResourceType", std::string(type)}});
  };
  auto owner_xml = [&] {
    return "<Owner><ID>" + XmlEscape(options_.owner_id) + "</ID><DisplayName>" + XmlEscape(options_.owner_name) +
           "</DisplayName></Owner>";
  };
  // The request body, aws-chunked framing removed; Content-MD5 checked.
  auto payload = [&](std::string* out) -> std::optional<wire::Response> {
    std::string_view sha = c.req.Header("x-amz-content-sha256");
    std::string_view enc = c.req.Header("Content-Encoding");
    bool chunked = sha.substr(0, 10) == "STREAMING-" || Lower(enc).find("aws-chunked") != std::string::npos;
    if (chunked) {
      auto decoded = DecodeAwsChunked(c.req.body);
      if (!decoded.ok()) return err("InvalidRequest", decoded.status().message());
      std::string_view dl = c.req.Header("x-amz-decoded-content-length");
      if (!dl.empty()) {
        auto n = ParseInt(dl);
        if (!n || *n < 0) return err("InvalidArgument", "x-amz-decoded-content-length is not a valid length");
        if (static_cast<uint64_t>(*n) != decoded->size())
          return err("IncompleteBody", "The request body terminated unexpectedly");
      }
      *out = std::move(*decoded);
    } else {
      *out = c.req.body;
    }
    std::string_view md5 = c.req.Header("Content-MD5");
    if (!md5.empty()) {
      auto raw = codec::Base64Decode(Trim(md5));
      if (!raw || raw->size() != 16) return err("InvalidDigest", "The Content-MD5 you specified was invalid.");
      if (*raw != objstore::Md5Raw(*out))
        return err("BadDigest", "The Content-MD5 you specified did not match what we received.");
    }
    return std::nullopt;
  };
  // Content-Type, Content-Encoding (without aws-chunked) and x-amz-meta-*.
  auto put_options = [&] {
    objstore::PutOptions o;
    std::string_view ct = c.req.Header("Content-Type");
    o.content_type = ct.empty() ? "binary/octet-stream" : std::string(ct);
    std::string enc;
    std::string_view e = c.req.Header("Content-Encoding");
    size_t start = 0;
    while (start <= e.size()) {
      size_t comma = e.find(',', start);
      std::string part = Trim(e.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
      if (!part.empty() && Lower(part) != "aws-chunked") enc += (enc.empty() ? "" : ",") + part;
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    o.content_encoding = enc;
    for (const auto& [k, v] : c.req.headers) {
      std::string lk = Lower(k);
      if (lk.size() > 11 && lk.compare(0, 11, "x-amz-meta-") == 0) o.metadata[lk.substr(11)] = v;
    }
    return o;
  };
  auto check_key = [&]() -> std::optional<wire::Response> {
    if (c.key.size() > 1024) return err("KeyTooLongError", "Your key is too long", {{"Size", std::to_string(c.key.size())}, {"MaxSizeAllowed", "1024"}});
    if (!objstore::IsValidKey(c.key)) return err("InvalidURI", "Couldn't parse the specified URI.");
    return std::nullopt;
  };
  auto object_headers = [&](wire::Response& r, const ObjectInfo& info) {
    r.SetHeader("ETag", info.etag);
    r.SetHeader("Last-Modified", Rfc1123(info.last_modified_ms));
    r.SetHeader("Accept-Ranges", "bytes");
    r.SetHeader("Content-Type", info.content_type.empty() ? "binary/octet-stream" : info.content_type);
    if (!info.content_encoding.empty()) r.SetHeader("Content-Encoding", info.content_encoding);
    for (const auto& [k, v] : info.metadata) r.SetHeader("x-amz-meta-" + k, v);
  };

  // ---------------------------------------------------------------- service
  if (!c.has_bucket) {
    if (m == "GET") {
      auto buckets = store_->ListBuckets();
      if (!buckets.ok()) return from_status(buckets.status());
      std::string b = std::string("<ListAllMyBucketsResult xmlns=\"") + kNs + "\">" + owner_xml() + "<Buckets>";
      for (const auto& bk : *buckets)
        b += "<Bucket><Name>" + XmlEscape(bk.name) + "</Name><CreationDate>" + Iso8601(bk.created_ms) +
             "</CreationDate></Bucket>";
      b += "</Buckets></ListAllMyBucketsResult>";
      return XmlOk(rid, std::move(b));
    }
    return method_not_allowed("SERVICE");
  }

  // ----------------------------------------------------------------- bucket
  if (!c.has_key) {
    // Subresources we do not implement.
    for (const auto& [k, v] : t.query) {
      if (IsListParam(k) || k == "location" || k == "delete" || k == "uploads") continue;
      if (m == "GET" || m == "PUT" || m == "DELETE" || m == "POST" || m == "HEAD") {
        if (k == "versionId") continue;
        return not_implemented("?" + k);
      }
    }
    if (m == "PUT") {
      std::string region;
      if (!Trim(c.req.body).empty()) {
        auto doc = ParseXml(c.req.body);
        if (!doc.ok() || doc->name != "CreateBucketConfiguration")
          return err("MalformedXML",
                     "The XML you provided was not well-formed or did not validate against our published schema");
        if (const auto* lc = doc->Child("LocationConstraint")) region = Trim(lc->text);
      }
      if (!objstore::IsValidBucketName(c.bucket))
        return err("InvalidBucketName", "The specified bucket is not valid.", {{"BucketName", c.bucket}});
      Status st = store_->CreateBucket(c.bucket, region.empty() ? "us-east-1" : region);
      if (!st.ok()) return from_status(st);
      wire::Response r;
      Common(r, rid);
      r.SetHeader("Location", "/" + c.bucket);
      return r;
    }
    if (m == "HEAD") {
      auto b = store_->GetBucket(c.bucket);
      if (!b.ok()) return from_status(b.status());
      wire::Response r;
      Common(r, rid);
      r.SetHeader("x-amz-bucket-region", b->region);
      r.SetHeader("Content-Type", "application/xml");
      return r;
    }
    if (m == "DELETE") {
      Status st = store_->DeleteBucket(c.bucket);
      if (!st.ok()) return from_status(st);
      wire::Response r;
      r.status = 204;
      Common(r, rid);
      return r;
    }
    if (m == "POST") {
      if (!t.Has("delete")) return method_not_allowed("BUCKET");
      std::string body;
      if (auto e = payload(&body)) return *e;
      auto doc = ParseXml(body);
      if (!doc.ok() || doc->name != "Delete")
        return err("MalformedXML",
                   "The XML you provided was not well-formed or did not validate against our published schema");
      bool quiet = false;
      if (const auto* q = doc->Child("Quiet")) quiet = Lower(Trim(q->text)) == "true";
      std::vector<std::string> keys;
      for (const auto* o : doc->All("Object")) {
        const auto* k = o->Child("Key");
        if (!k)
          return err("MalformedXML",
                     "The XML you provided was not well-formed or did not validate against our published schema");
        keys.push_back(k->text);
      }
      if (keys.empty() || keys.size() > 1000)
        return err("MalformedXML",
                   "The XML you provided was not well-formed or did not validate against our published schema");
      auto exists = store_->BucketExists(c.bucket);
      if (!exists.ok()) return from_status(exists.status());
      if (!*exists) return from_status(objstore::StoreError(StatusCode::kNotFound, "NoSuchBucket", "The specified bucket does not exist"));
      std::string b = std::string("<DeleteResult xmlns=\"") + kNs + "\">";
      for (const auto& k : keys) {
        Status st = objstore::IsValidKey(k) ? store_->Delete(c.bucket, k) : Status::Ok();
        if (st.ok()) {
          if (!quiet) b += "<Deleted><Key>" + XmlEscape(k) + "</Key></Deleted>";
        } else {
          std::string code = objstore::ErrorCode(st);
          b += "<Error><Key>" + XmlEscape(k) + "</Key><Code>" + (code.empty() ? "InternalError" : code) +
               "</Code><Message>" + XmlEscape(st.message()) + "</Message></Error>";
        }
      }
      b += "</DeleteResult>";
      return XmlOk(rid, std::move(b));
    }
    if (m != "GET") return method_not_allowed("BUCKET");
    if (t.Has("location")) {
      auto b = store_->GetBucket(c.bucket);
      if (!b.ok()) return from_status(b.status());
      std::string region = b->region == "us-east-1" ? "" : b->region;
      return XmlOk(rid, std::string("<LocationConstraint xmlns=\"") + kNs + "\">" + XmlEscape(region) +
                            "</LocationConstraint>");
    }
    if (t.Has("uploads")) {
      auto ups = store_->ListUploads(c.bucket);
      if (!ups.ok()) return from_status(ups.status());
      std::string b = std::string("<ListMultipartUploadsResult xmlns=\"") + kNs + "\"><Bucket>" + XmlEscape(c.bucket) +
                      "</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker><MaxUploads>1000</MaxUploads>"
                      "<IsTruncated>false</IsTruncated>";
      for (const auto& u : *ups)
        b += "<Upload><Key>" + XmlEscape(u.key) + "</Key><UploadId>" + u.upload_id + "</UploadId>" + owner_xml() +
             "<StorageClass>STANDARD</StorageClass><Initiated>" + Iso8601(u.initiated_ms) + "</Initiated></Upload>";
      b += "</ListMultipartUploadsResult>";
      return XmlOk(rid, std::move(b));
    }
    // ListObjects (v1) / ListObjectsV2.
    bool v2 = t.Get("list-type").value_or("") == "2";
    if (auto lt = t.Get("list-type"); lt && *lt != "2")
      return err("InvalidArgument", "Invalid List Type specified", {{"ArgumentName", "list-type"}, {"ArgumentValue", *lt}});
    objstore::ListOptions lo;
    lo.prefix = t.Get("prefix").value_or("");
    lo.delimiter = t.Get("delimiter").value_or("");
    int max_keys = 1000;
    if (auto mk = t.Get("max-keys")) {
      auto v = ParseInt(*mk);
      if (!v || *v < 0)
        return err("InvalidArgument", "Provided max-keys not an integer or within integer range",
                   {{"ArgumentName", "max-keys"}, {"ArgumentValue", *mk}});
      max_keys = static_cast<int>(std::min<int64_t>(*v, 1000));
    }
    lo.max_keys = max_keys;
    std::string encoding = t.Get("encoding-type").value_or("");
    if (!encoding.empty() && encoding != "url")
      return err("InvalidArgument", "Invalid Encoding Method specified in Request",
                 {{"ArgumentName", "encoding-type"}, {"ArgumentValue", encoding}});
    bool url = encoding == "url";
    auto enc = [&](const std::string& s) { return XmlEscape(url ? UrlEncode(s) : s); };
    std::string token = t.Get("continuation-token").value_or("");
    std::string start_after = t.Get("start-after").value_or("");
    std::string marker = t.Get("marker").value_or("");
    if (v2) {
      if (t.Has("continuation-token")) {
        auto raw = codec::Base64Decode(token);
        if (token.empty() || !raw || raw->substr(0, 2) != "1\n")
          return err("InvalidArgument", "The continuation token provided is incorrect",
                     {{"ArgumentName", "continuation-token"}});
        lo.start_after = raw->substr(2);
      } else {
        lo.start_after = start_after;
      }
    } else {
      lo.start_after = marker;
    }
    auto res = store_->List(c.bucket, lo);
    if (!res.ok()) return from_status(res.status());
    bool fetch_owner = !v2 || Lower(t.Get("fetch-owner").value_or("")) == "true";
    std::string b = std::string("<ListBucketResult xmlns=\"") + kNs + "\"><Name>" + XmlEscape(c.bucket) +
                    "</Name><Prefix>" + enc(lo.prefix) + "</Prefix>";
    if (v2) {
      if (t.Has("continuation-token")) b += "<ContinuationToken>" + XmlEscape(token) + "</ContinuationToken>";
      if (!start_after.empty()) b += "<StartAfter>" + enc(start_after) + "</StartAfter>";
      b += "<KeyCount>" + std::to_string(res->objects.size() + res->common_prefixes.size()) + "</KeyCount>";
    } else {
      b += "<Marker>" + enc(marker) + "</Marker>";
    }
    b += "<MaxKeys>" + std::to_string(max_keys) + "</MaxKeys>";
    if (!lo.delimiter.empty()) b += "<Delimiter>" + enc(lo.delimiter) + "</Delimiter>";
    if (url) b += "<EncodingType>url</EncodingType>";
    b += std::string("<IsTruncated>") + (res->truncated ? "true" : "false") + "</IsTruncated>";
    if (res->truncated) {
      if (v2)
        b += "<NextContinuationToken>" + codec::Base64Encode("1\n" + res->last) + "</NextContinuationToken>";
      else
        b += "<NextMarker>" + enc(res->last) + "</NextMarker>";
    }
    for (const auto& o : res->objects) {
      b += "<Contents><Key>" + enc(o.key) + "</Key><LastModified>" + Iso8601(o.last_modified_ms) +
           "</LastModified><ETag>" + XmlEscape(o.etag) + "</ETag><Size>" + std::to_string(o.size) + "</Size>";
      if (fetch_owner) b += owner_xml();
      b += "<StorageClass>STANDARD</StorageClass></Contents>";
    }
    for (const auto& p : res->common_prefixes) b += "<CommonPrefixes><Prefix>" + enc(p) + "</Prefix></CommonPrefixes>";
    b += "</ListBucketResult>";
    return XmlOk(rid, std::move(b));
  }

  // ----------------------------------------------------------------- object
  for (const auto& [k, v] : t.query) {
    if (IsIgnorableParam(k) || k == "uploads" || k == "uploadId" || k == "partNumber" ||
        k.compare(0, 9, "response-") == 0 || k == "max-parts" || k == "part-number-marker" || k == "encoding-type")
      continue;
    return not_implemented("?" + k);
  }
  if (auto e = check_key()) return *e;
  std::optional<std::string> upload_id = t.Get("uploadId");

  if (m == "PUT") {
    std::string_view copy_source = c.req.Header("x-amz-copy-source");
    if (upload_id) {
      if (!copy_source.empty()) return not_implemented("UploadPartCopy");
      auto pn = ParseInt(t.Get("partNumber").value_or(""));
      if (!pn || *pn < 1 || *pn > 10000)
        return err("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive",
                   {{"ArgumentName", "partNumber"}, {"ArgumentValue", t.Get("partNumber").value_or("")}});
      std::string body;
      if (auto e = payload(&body)) return *e;
      auto etag = store_->UploadPart(c.bucket, c.key, *upload_id, static_cast<int>(*pn), body);
      if (!etag.ok()) return from_status(etag.status());
      wire::Response r;
      Common(r, rid);
      r.SetHeader("ETag", *etag);
      return r;
    }
    if (!copy_source.empty()) {
      std::string src(copy_source);
      if (size_t q = src.find("?versionId="); q != std::string::npos) src = src.substr(0, q);
      bool malformed = false;
      std::string s = codec::UrlDecode(src, codec::UrlPart::kPath, &malformed);
      if (malformed) return err("InvalidArgument", "Invalid copy source encoding", {{"ArgumentName", "x-amz-copy-source"}});
      if (!s.empty() && s.front() == '/') s.erase(0, 1);
      size_t slash = s.find('/');
      if (slash == std::string::npos || slash == 0 || slash + 1 == s.size())
        return err("InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
                   {{"ArgumentName", "x-amz-copy-source"}, {"ArgumentValue", std::string(copy_source)}});
      std::string sb = s.substr(0, slash), sk = s.substr(slash + 1);
      std::string directive = std::string(c.req.Header("x-amz-metadata-directive"));
      if (directive.empty()) directive = "COPY";
      if (directive != "COPY" && directive != "REPLACE")
        return err("InvalidArgument", "Unknown metadata directive.", {{"ArgumentName", "x-amz-metadata-directive"}});
      if (sb == c.bucket && sk == c.key && directive == "COPY")
        return err("InvalidRequest",
                   "This copy request is illegal because it is trying to copy an object to itself without changing "
                   "the object's metadata, storage class, website redirect location or encryption attributes.");
      std::optional<objstore::PutOptions> replace;
      if (directive == "REPLACE") replace = put_options();
      auto info = store_->Copy(sb, sk, c.bucket, c.key, replace);
      if (!info.ok()) return from_status(info.status());
      return XmlOk(rid, std::string("<CopyObjectResult xmlns=\"") + kNs + "\"><LastModified>" +
                            Iso8601(info->last_modified_ms) + "</LastModified><ETag>" + XmlEscape(info->etag) +
                            "</ETag></CopyObjectResult>");
    }
    std::string body;
    if (auto e = payload(&body)) return *e;
    auto info = store_->Put(c.bucket, c.key, body, put_options());
    if (!info.ok()) return from_status(info.status());
    wire::Response r;
    Common(r, rid);
    r.SetHeader("ETag", info->etag);
    return r;
  }

  if (m == "POST") {
    if (t.Has("uploads")) {
      auto id = store_->CreateMultipartUpload(c.bucket, c.key, put_options());
      if (!id.ok()) return from_status(id.status());
      return XmlOk(rid, std::string("<InitiateMultipartUploadResult xmlns=\"") + kNs + "\"><Bucket>" +
                            XmlEscape(c.bucket) + "</Bucket><Key>" + XmlEscape(c.key) + "</Key><UploadId>" + *id +
                            "</UploadId></InitiateMultipartUploadResult>");
    }
    if (upload_id) {
      std::string body;
      if (auto e = payload(&body)) return *e;
      auto doc = ParseXml(body);
      if (!doc.ok() || doc->name != "CompleteMultipartUpload")
        return err("MalformedXML",
                   "The XML you provided was not well-formed or did not validate against our published schema");
      std::vector<objstore::CompletedPart> parts;
      for (const auto* p : doc->All("Part")) {
        const auto* pn = p->Child("PartNumber");
        const auto* et = p->Child("ETag");
        auto n = pn ? ParseInt(pn->text) : std::nullopt;
        if (!n || !et || *n < 1 || *n > 10000)
          return err("MalformedXML",
                     "The XML you provided was not well-formed or did not validate against our published schema");
        parts.push_back({static_cast<int>(*n), Trim(et->text)});
      }
      auto info = store_->CompleteMultipartUpload(c.bucket, c.key, *upload_id, parts);
      if (!info.ok()) return from_status(info.status());
      std::string host(c.req.Header("Host"));
      return XmlOk(rid, std::string("<CompleteMultipartUploadResult xmlns=\"") + kNs + "\"><Location>http://" +
                            XmlEscape(host) + "/" + XmlEscape(c.bucket) + "/" + XmlEscape(UrlEncode(c.key)) +
                            "</Location><Bucket>" + XmlEscape(c.bucket) + "</Bucket><Key>" + XmlEscape(c.key) +
                            "</Key><ETag>" + XmlEscape(info->etag) + "</ETag></CompleteMultipartUploadResult>");
    }
    return method_not_allowed("OBJECT");
  }

  if (m == "DELETE") {
    Status st = upload_id ? store_->AbortMultipartUpload(c.bucket, c.key, *upload_id) : store_->Delete(c.bucket, c.key);
    if (!st.ok()) return from_status(st);
    wire::Response r;
    r.status = 204;
    Common(r, rid);
    return r;
  }

  if (m == "GET" && upload_id) {
    auto parts = store_->ListParts(c.bucket, c.key, *upload_id);
    if (!parts.ok()) return from_status(parts.status());
    std::string b = std::string("<ListPartsResult xmlns=\"") + kNs + "\"><Bucket>" + XmlEscape(c.bucket) +
                    "</Bucket><Key>" + XmlEscape(c.key) + "</Key><UploadId>" + XmlEscape(*upload_id) +
                    "</UploadId>" + owner_xml() + "<StorageClass>STANDARD</StorageClass><PartNumberMarker>0"
                    "</PartNumberMarker><NextPartNumberMarker>" +
                    std::to_string(parts->empty() ? 0 : parts->back().part_number) +
                    "</NextPartNumberMarker><MaxParts>10000</MaxParts><IsTruncated>false</IsTruncated>";
    for (const auto& p : *parts)
      b += "<Part><PartNumber>" + std::to_string(p.part_number) + "</PartNumber><LastModified>" +
           Iso8601(p.last_modified_ms) + "</LastModified><ETag>" + XmlEscape(p.etag) + "</ETag><Size>" +
           std::to_string(p.size) + "</Size></Part>";
    b += "</ListPartsResult>";
    return XmlOk(rid, std::move(b));
  }

  if (m == "GET" || m == "HEAD") {
    auto info = store_->Head(c.bucket, c.key);
    if (!info.ok()) return from_status(info.status());
    // Conditional requests.
    std::string_view if_match = c.req.Header("If-Match");
    std::string_view if_none = c.req.Header("If-None-Match");
    auto etag_in = [&](std::string_view list) {
      if (Trim(list) == "*") return true;
      size_t start = 0;
      while (start <= list.size()) {
        size_t comma = list.find(',', start);
        std::string e = Trim(list.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
        if (e.size() >= 2 && e.front() != '"') e = "\"" + e + "\"";
        if (e == info->etag) return true;
        if (comma == std::string_view::npos) break;
        start = comma + 1;
      }
      return false;
    };
    if (!if_match.empty() && !etag_in(if_match))
      return err("PreconditionFailed", "At least one of the pre-conditions you specified did not hold",
                 {{"Condition", "If-Match"}});
    if (!if_none.empty() && etag_in(if_none)) {
      wire::Response r;
      r.status = 304;
      Common(r, rid);
      r.SetHeader("ETag", info->etag);
      r.SetHeader("Last-Modified", Rfc1123(info->last_modified_ms));
      return r;
    }
    RangeSpec range;
    if (std::string_view rh = c.req.Header("Range"); !rh.empty()) range = ParseRange(rh, info->size);
    if (range.kind == RangeSpec::kUnsatisfiable)
      return err("InvalidRange", "The requested range is not satisfiable",
                 {{"RangeRequested", std::string(c.req.Header("Range"))},
                  {"ActualObjectSize", std::to_string(info->size)}});
    wire::Response r;
    Common(r, rid);
    uint64_t length = info->size;
    if (range.kind == RangeSpec::kSatisfiable) {
      r.status = 206;
      length = range.last - range.first + 1;
    }
    if (m == "GET") {
      std::string body;
      std::optional<objstore::ByteRange> br;
      if (range.kind == RangeSpec::kSatisfiable) br = objstore::ByteRange{range.first, range.last};
      auto got = store_->Get(c.bucket, c.key, &body, br);
      if (!got.ok()) return from_status(got.status());
      *info = std::move(*got);
      if (range.kind == RangeSpec::kSatisfiable && range.last >= info->size) {
        // Replaced by a smaller object in between: recompute.
        range = ParseRange(c.req.Header("Range"), info->size);
        if (range.kind != RangeSpec::kSatisfiable)
          return err("InvalidRange", "The requested range is not satisfiable");
        body = body.substr(0, range.last - range.first + 1);
      }
      length = body.size();
      r.body = std::move(body);
    }
    object_headers(r, *info);
    if (range.kind == RangeSpec::kSatisfiable)
      r.SetHeader("Content-Range", "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" +
                                       std::to_string(info->size));
    if (m == "HEAD") r.SetHeader("Content-Length", std::to_string(length));
    // response-* overrides.
    static const std::pair<const char*, const char*> kOverrides[] = {
        {"response-content-type", "Content-Type"},
        {"response-content-language", "Content-Language"},
        {"response-expires", "Expires"},
        {"response-cache-control", "Cache-Control"},
        {"response-content-disposition", "Content-Disposition"},
        {"response-content-encoding", "Content-Encoding"}};
    for (const auto& [param, header] : kOverrides) {
      if (auto v = t.Get(param)) {
        auto& hs = r.headers;
        hs.erase(std::remove_if(hs.begin(), hs.end(), [name = header](const auto& h) { return Lower(h.first) == Lower(name); }),
                 hs.end());
        r.SetHeader(header, *v);
      }
    }
    return r;
  }
  return method_not_allowed("OBJECT");
}

}  // namespace sluice::s3api
