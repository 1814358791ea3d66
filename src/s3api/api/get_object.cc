#include <algorithm>

#include "s3api/api/handlers.h"

namespace sluice::s3api::api {

namespace {
// True when the object's ETag is in an If-Match / If-None-Match list.
bool EtagIn(std::string_view list, const std::string& etag) {
  if (Trim(list) == "*") return true;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string e = Trim(list.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (e.size() >= 2 && e.front() != '"') e = "\"" + e + "\"";
    if (e == etag) return true;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return false;
}
}  // namespace

// GetObject and HeadObject: conditional requests, one byte range,
// response-* header overrides.
wire::Response GetObject(Context& c) {
  const bool get = c.method() == "GET";
  auto info = c.store.Head(c.bucket, c.key);
  if (!info.ok()) return c.FromStoreError(info.error());
  std::string_view if_match = c.req.Header("If-Match");
  std::string_view if_none = c.req.Header("If-None-Match");
  if (!if_match.empty() && !EtagIn(if_match, info->etag))
    return c.Error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold",
                   {{"Condition", "If-Match"}});
  if (!if_none.empty() && EtagIn(if_none, info->etag)) {
    wire::Response r = c.Empty(304);
    r.SetHeader("ETag", info->etag);
    r.SetHeader("Last-Modified", Rfc1123(info->last_modified_ms));
    return r;
  }
  RangeSpec range;
  if (std::string_view rh = c.req.Header("Range"); !rh.empty()) range = ParseRange(rh, info->size);
  if (range.kind == RangeSpec::kUnsatisfiable)
    return c.Error(
        "InvalidRange", "The requested range is not satisfiable",
        {{"RangeRequested", std::string(c.req.Header("Range"))}, {"ActualObjectSize", std::to_string(info->size)}});
  wire::Response r = c.Empty(range.kind == RangeSpec::kSatisfiable ? 206 : 200);
  uint64_t length = range.kind == RangeSpec::kSatisfiable ? range.last - range.first + 1 : info->size;
  if (get) {
    std::string body;
    std::optional<objstore::ByteRange> br;
    if (range.kind == RangeSpec::kSatisfiable) br = objstore::ByteRange{range.first, range.last};
    auto got = c.store.Get(c.bucket, c.key, &body, br);
    if (!got.ok()) return c.FromStoreError(got.error());
    *info = std::move(*got);
    if (range.kind == RangeSpec::kSatisfiable && range.last >= info->size) {
      // Replaced by a smaller object in between: recompute.
      range = ParseRange(c.req.Header("Range"), info->size);
      if (range.kind != RangeSpec::kSatisfiable)
        return c.Error("InvalidRange", "The requested range is not satisfiable");
      body = body.substr(0, range.last - range.first + 1);
    }
    length = body.size();
    r.body = std::move(body);
  }
  Context::SetObjectHeaders(r, *info);
  if (range.kind == RangeSpec::kSatisfiable)
    r.SetHeader("Content-Range", "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" +
                                     std::to_string(info->size));
  if (!get) r.SetHeader("Content-Length", std::to_string(length));
  static const std::pair<const char*, const char*> kOverrides[] = {
      {"response-content-type", "Content-Type"},
      {"response-content-language", "Content-Language"},
      {"response-expires", "Expires"},
      {"response-cache-control", "Cache-Control"},
      {"response-content-disposition", "Content-Disposition"},
      {"response-content-encoding", "Content-Encoding"}};
  for (const auto& [param, header] : kOverrides) {
    if (auto v = c.target.Get(param)) {
      auto& hs = r.headers;
      hs.erase(std::remove_if(hs.begin(), hs.end(),
                              [name = header](const auto& h) { return Lower(h.first) == Lower(name); }),
               hs.end());
      r.SetHeader(header, *v);
    }
  }
  return r;
}

}  // namespace sluice::s3api::api
