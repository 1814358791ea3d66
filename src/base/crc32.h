// CRC-32 (IEEE 802.3 polynomial, as zlib computes it) over byte ranges.
#pragma once

#include <cstdint>
#include <string_view>

namespace sluice {

uint32_t Crc32(std::string_view bytes, uint32_t seed = 0);

}  // namespace sluice
