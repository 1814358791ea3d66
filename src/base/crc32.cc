#include "base/crc32.h"

#include <zlib.h>

namespace sluice {

uint32_t Crc32(std::string_view bytes, uint32_t seed) {
  // zlib takes uInt lengths; chunk so that > 4 GiB inputs stay correct.
  uLong crc = seed;
  const auto* p = reinterpret_cast<const Bytef*>(bytes.data());
  size_t left = bytes.size();
  while (left > 0) {
    uInt n = left > (1u << 30) ? (1u << 30) : static_cast<uInt>(left);
    crc = crc32(crc, p, n);
    p += n;
    left -= n;
  }
  return static_cast<uint32_t>(crc);
}

}  // namespace sluice
