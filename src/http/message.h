// Transport-neutral HTTP request and response values passed between the HTTP
// server and the API layers, so that handlers never see Beast types.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::http {

struct Request {
  std::string method;
  std::string target;  // path and query, as sent
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_address;

  // Value of the first header named `name` (case-insensitive), or "".
  std::string_view Header(std::string_view name) const;
};

struct Response {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  void SetHeader(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
};

// Completes a request. Call exactly once, from any thread.
using Responder = std::function<void(Response)>;
// Serves one request; may answer later (e.g. after a group commit).
using Handler = std::function<void(Request, Responder)>;

}  // namespace sluice::http
