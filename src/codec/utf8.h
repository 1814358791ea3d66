// UTF-8 well-formedness (RFC 3629: no overlongs, no surrogates, <= U+10FFFF).
#pragma once

#include <string_view>

namespace sluice::codec {

bool IsValidUtf8(std::string_view s);

}  // namespace sluice::codec
