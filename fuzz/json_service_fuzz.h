// One input = one AWS JSON call: the first byte picks the operation from the
// service model's operation list (sorted by name, so corpus files stay
// valid), the rest is the request body. The call goes through the real
// router, so parsing, model validation and the handler all run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "protocol/service_model.h"
#include "server_fixture.h"

namespace sluice::fuzz {

inline int FuzzJsonCall(const uint8_t* data, size_t size, const protocol::ServiceModel& model) {
  static ServerFixture* fixture = new ServerFixture();  // lives for the process
  static const std::vector<std::string> operations = model.OperationNames();
  if (size == 0) return 0;
  const std::string& operation = operations[data[0] % operations.size()];
  std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  wire::Response r = fixture->SendJson(model.target_prefix(), operation, std::move(body));
  CrashOnServerError(r, operation);
  fixture->MaybeReset(1000);
  return 0;
}

}  // namespace sluice::fuzz
