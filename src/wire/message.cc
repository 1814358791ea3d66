#include "wire/message.h"

#include <strings.h>

namespace sluice::wire {

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k.size() == name.size() && ::strncasecmp(k.data(), name.data(), name.size()) == 0) return v;
  return {};
}

}  // namespace sluice::wire
