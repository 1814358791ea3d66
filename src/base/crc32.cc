#include "base/crc32.h"

#include <isa-l/crc.h>

namespace sluice {

uint32_t Crc32(std::string_view bytes, uint32_t seed) {
  // ISA-L's reflected CRC-32 is zlib's crc32() (same polynomial, init and
  // final xor), computed with carry-less multiplication where the CPU has it.
  return crc32_gzip_refl(seed, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

}  // namespace sluice
