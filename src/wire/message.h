// Transport-neutral HTTP request and response values passed between the HTTP
// server (http/) and the API layers (protocol/, kinesis/, s3api/, server/),
// so that handlers never see Beast or nghttp2 types, and the API layers do
// not depend on the transport at all. The HTTP server names them http::Request,
// ... (http/message.h).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::wire {

struct Request {
  std::string method;
  std::string target;  // path and query, as sent
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_address;

  // Value of the first header named `name` (case-insensitive), or "".
  std::string_view Header(std::string_view name) const;
};

// A response body produced over time (AWS event streams). The transport
// sends the headers, then calls Pull() each time it can take more; the source
// answers every Pull, at once or later and from any thread, by calling
// `deliver` exactly once with the next bytes and whether they are the last.
// Cancel() says the client went away: no Pull follows, and a pending
// `deliver` may be dropped. HTTP/1.1 sends the pieces as chunks, HTTP/2 as
// DATA frames.
class BodySource {
 public:
  using Deliver = std::function<void(std::string bytes, bool last)>;
  virtual ~BodySource() = default;
  virtual void Pull(Deliver deliver) = 0;
  virtual void Cancel() = 0;
};

struct Response {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::shared_ptr<BodySource> stream;  // set: the body comes from here, not `body`

  void SetHeader(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
};

// Completes a request. Call exactly once, from any thread.
using Responder = std::function<void(Response)>;
// Serves one request; may answer later (e.g. after a group commit).
using Handler = std::function<void(Request, Responder)>;

}  // namespace sluice::wire
