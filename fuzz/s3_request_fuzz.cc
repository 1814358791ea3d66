// S3 REST requests (src/s3api) on the embedded store, through the router:
// bucket/key paths, query strings (sub-resources, list parameters, response-*
// overrides), headers (Range, conditionals, Content-MD5, aws-chunked, copy
// source, Host for virtual-host addressing) and bodies (XML for
// DeleteObjects / CompleteMultipartUpload, chunk-signed payloads).
//
// Input: byte 0 picks the method (GET PUT HEAD POST DELETE OPTIONS), then
// newline-separated: the target ("/bucket/key?query"), header lines
// "Name: value" up to an empty line, and the rest is the body. The store
// starts with bucket "bkt" holding object "k" and is reset every 1000 inputs.
#include <string>
#include <string_view>

#include "server_fixture.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static sluice::fuzz::ServerFixture* fixture = new sluice::fuzz::ServerFixture();
  static const char* const kMethods[] = {"GET", "PUT", "HEAD", "POST", "DELETE", "OPTIONS"};
  if (size == 0) return 0;
  sluice::wire::Request request;
  request.method = kMethods[data[0] % 6];
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  auto next_line = [&rest]() {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    return line;
  };
  request.target = std::string(next_line());
  bool have_host = false;
  while (!rest.empty()) {
    std::string_view line = next_line();
    if (line.empty()) break;
    size_t colon = line.find(':');
    std::string_view name = line.substr(0, colon), value;
    if (colon != std::string_view::npos) {
      value = line.substr(colon + 1);
      if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    }
    have_host = have_host || name == "Host";
    request.headers.emplace_back(std::string(name), std::string(value));
  }
  if (!have_host) request.headers.emplace_back("Host", "127.0.0.1:4566");
  request.body = std::string(rest);
  sluice::wire::Response r = fixture->Send(std::move(request));
  sluice::fuzz::CrashOnServerError(r, "S3 request");
  fixture->MaybeReset(1000);
  return 0;
}
