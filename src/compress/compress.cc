// The container formats of compress.h: gzip and zip by ISA-L igzip, the
// snappy stream formats by libsnappy.
#include "compress/compress.h"

#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
#include <snappy.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "base/crc32.h"

namespace sluice::compress {

namespace {

constexpr size_t kSnappyJavaBlock = 32 * 1024;  // snappy-java SnappyOutputStream default block size
constexpr size_t kFramedChunk = 64 * 1024;      // framing format: at most 65536 uncompressed bytes per chunk
constexpr char kSnappyJavaMagic[8] = {'\x82', 'S', 'N', 'A', 'P', 'P', 'Y', '\0'};
constexpr char kFramedStreamId[10] = {'\xff', '\x06', '\x00', '\x00', 's', 'N', 'a', 'P', 'p', 'Y'};

void PutBe32(std::string* out, uint32_t v) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
  out->append(b, 4);
}
void PutLe16(std::string* out, uint32_t v) {
  char b[2] = {static_cast<char>(v), static_cast<char>(v >> 8)};
  out->append(b, 2);
}
void PutLe32(std::string* out, uint32_t v) {
  char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16), static_cast<char>(v >> 24)};
  out->append(b, 4);
}
uint32_t Be32(std::string_view b, size_t at) {
  auto u = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(b[at + k])); };
  return (u(0) << 24) | (u(1) << 16) | (u(2) << 8) | u(3);
}
uint32_t Le16(std::string_view b, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(b[at])) |
         (static_cast<uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8);
}
uint32_t Le32(std::string_view b, size_t at) { return Le16(b, at) | (Le16(b, at + 2) << 16); }

// Raw deflate (RFC 1951) or gzip (RFC 1952) with ISA-L igzip level 1.
std::string IgzipDeflate(std::string_view data, bool gzip) {
  std::string out;
  out.resize(data.size() + data.size() / 8 + 1024);
  auto level_buf = std::make_unique<uint8_t[]>(ISAL_DEF_LVL1_DEFAULT);
  isal_zstream s;
  isal_deflate_init(&s);
  s.gzip_flag = gzip ? IGZIP_GZIP : IGZIP_DEFLATE;
  s.level = 1;
  s.level_buf = level_buf.get();
  s.level_buf_size = ISAL_DEF_LVL1_DEFAULT;
  s.flush = NO_FLUSH;
  size_t in_done = 0;
  size_t out_done = 0;
  while (true) {
    // avail_in is 32-bit: feed at most 1 GiB at a time.
    size_t in_chunk = std::min<size_t>(data.size() - in_done, size_t{1} << 30);
    s.next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(data.data() + in_done));
    s.avail_in = static_cast<uint32_t>(in_chunk);
    s.end_of_stream = in_done + in_chunk == data.size() ? 1 : 0;
    do {
      if (out.size() - out_done < 64 * 1024) out.resize(out.size() * 2 + 64 * 1024);
      size_t room = std::min<size_t>(out.size() - out_done, size_t{1} << 30);
      s.next_out = reinterpret_cast<uint8_t*>(out.data() + out_done);
      s.avail_out = static_cast<uint32_t>(room);
      int rc = isal_deflate(&s);
      out_done += room - s.avail_out;
      if (rc != COMP_OK) break;  // only on invalid parameters, which we never pass
    } while (s.avail_in > 0 || (s.end_of_stream && s.internal_state.state != ZSTATE_END));
    in_done += in_chunk;
    if (s.end_of_stream) break;
  }
  out.resize(out_done);
  return out;
}

// zlib inflate; window_bits selects raw (-15) or gzip (31). Concatenated gzip
// members are all inflated.
Result<std::string> Inflate(std::string_view data, int window_bits, size_t max_output, size_t* consumed = nullptr) {
  z_stream zs{};
  if (inflateInit2(&zs, window_bits) != Z_OK) return Status::Internal("inflateInit2 failed");
  std::string out;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(std::min<size_t>(data.size(), UINT32_MAX));
  char buf[64 * 1024];
  int rc = Z_OK;
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
    if (out.size() > max_output) {
      inflateEnd(&zs);
      return Status::ResourceExhausted("decompressed data exceeds " + std::to_string(max_output) + " bytes");
    }
    if (rc == Z_STREAM_END) {
      if (window_bits > 15 && zs.avail_in > 0) {  // another gzip member
        inflateReset(&zs);
        continue;
      }
      break;
    }
    if (rc != Z_OK && !(rc == Z_BUF_ERROR && zs.avail_out == 0)) {
      std::string msg = zs.msg ? zs.msg : "truncated or corrupt deflate data";
      inflateEnd(&zs);
      return Status::Corruption("inflate: " + msg);
    }
  }
  if (consumed) *consumed = zs.total_in;
  inflateEnd(&zs);
  return out;
}

Status SnappyBlock(std::string_view block, size_t max_output, size_t have, std::string* out) {
  size_t n = 0;
  if (!snappy::GetUncompressedLength(block.data(), block.size(), &n)) {
    return Status::Corruption("corrupt snappy block");
  }
  if (have + n > max_output) {
    return Status::ResourceExhausted("decompressed data exceeds " + std::to_string(max_output) + " bytes");
  }
  std::string u;
  if (!snappy::Uncompress(block.data(), block.size(), &u)) return Status::Corruption("corrupt snappy block");
  out->append(u);
  return Status::Ok();
}

uint32_t MaskCrc(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

}  // namespace

uint32_t Crc32c(std::string_view data) {
  // ISA-L's crc32_iscsi is the reflected CRC-32C without the final xor;
  // seeding with ~0 and inverting the result gives the standard value.
  uint32_t crc = 0xFFFFFFFFu;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t left = data.size();
  while (left > 0) {
    int n = static_cast<int>(std::min<size_t>(left, size_t{1} << 30));
    crc = crc32_iscsi(const_cast<unsigned char*>(p), n, crc);
    p += n;
    left -= static_cast<size_t>(n);
  }
  return crc ^ 0xFFFFFFFFu;
}

std::string GzipCompress(std::string_view data) { return IgzipDeflate(data, /*gzip=*/true); }

Result<std::string> ZipCompress(std::string_view data, std::string_view entry_name, int64_t mtime_ms) {
  if (data.size() >= 0xFFFFFFFFu) return Status::InvalidArgument("ZIP entries of 4 GiB or more need ZIP64");
  if (entry_name.empty() || entry_name.size() > 0xFFFF) return Status::InvalidArgument("bad ZIP entry name");
  std::string deflated = IgzipDeflate(data, /*gzip=*/false);
  if (deflated.size() >= 0xFFFFFFFFu) return Status::InvalidArgument("ZIP entries of 4 GiB or more need ZIP64");
  uint32_t crc = Crc32(data);
  // MS-DOS date and time (UTC), within the 1980..2107 they can hold.
  namespace chrono = std::chrono;
  const auto tp = chrono::sys_time<chrono::milliseconds>(chrono::milliseconds(mtime_ms));
  const auto day = chrono::floor<chrono::days>(tp);
  const chrono::year_month_day ymd(day);
  const chrono::hh_mm_ss hms(chrono::floor<chrono::seconds>(tp - day));
  int year = static_cast<int>(ymd.year()), month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  int mday = static_cast<int>(static_cast<unsigned>(ymd.day()));
  int hour = static_cast<int>(hms.hours().count()), minute = static_cast<int>(hms.minutes().count());
  int second = static_cast<int>(hms.seconds().count());
  if (year < 1980) year = 1980, month = 1, mday = 1, hour = 0, minute = 0, second = 0;
  if (year > 2107) year = 2107, month = 12, mday = 31, hour = 23, minute = 59, second = 58;
  uint32_t dos_time = static_cast<uint32_t>((hour << 11) | (minute << 5) | (second / 2));
  uint32_t dos_date = static_cast<uint32_t>(((year - 1980) << 9) | (month << 5) | mday);
  bool utf8 = std::any_of(entry_name.begin(), entry_name.end(), [](char c) { return (c & 0x80) != 0; });
  uint32_t flags = utf8 ? 0x0800 : 0;  // bit 11: name is UTF-8

  std::string out;
  out.reserve(deflated.size() + 2 * entry_name.size() + 128);
  // Local file header.
  PutLe32(&out, 0x04034b50);
  PutLe16(&out, 20);  // version needed: 2.0 (deflate)
  PutLe16(&out, flags);
  PutLe16(&out, 8);  // method: deflate
  PutLe16(&out, dos_time);
  PutLe16(&out, dos_date);
  PutLe32(&out, crc);
  PutLe32(&out, static_cast<uint32_t>(deflated.size()));
  PutLe32(&out, static_cast<uint32_t>(data.size()));
  PutLe16(&out, static_cast<uint32_t>(entry_name.size()));
  PutLe16(&out, 0);  // extra field length
  out.append(entry_name);
  out.append(deflated);
  // Central directory.
  uint32_t cd_offset = static_cast<uint32_t>(out.size());
  PutLe32(&out, 0x02014b50);
  PutLe16(&out, (3 << 8) | 20);  // made by: Unix, 2.0
  PutLe16(&out, 20);
  PutLe16(&out, flags);
  PutLe16(&out, 8);
  PutLe16(&out, dos_time);
  PutLe16(&out, dos_date);
  PutLe32(&out, crc);
  PutLe32(&out, static_cast<uint32_t>(deflated.size()));
  PutLe32(&out, static_cast<uint32_t>(data.size()));
  PutLe16(&out, static_cast<uint32_t>(entry_name.size()));
  PutLe16(&out, 0);               // extra
  PutLe16(&out, 0);               // comment
  PutLe16(&out, 0);               // disk number start
  PutLe16(&out, 0);               // internal attributes
  PutLe32(&out, 0100644u << 16);  // external attributes: regular file, rw-r--r--
  PutLe32(&out, 0);               // offset of the local header
  out.append(entry_name);
  uint32_t cd_size = static_cast<uint32_t>(out.size()) - cd_offset;
  // End of central directory.
  PutLe32(&out, 0x06054b50);
  PutLe16(&out, 0);
  PutLe16(&out, 0);
  PutLe16(&out, 1);
  PutLe16(&out, 1);
  PutLe32(&out, cd_size);
  PutLe32(&out, cd_offset);
  PutLe16(&out, 0);
  return out;
}

std::string SnappyJavaCompress(std::string_view data) {
  std::string out(kSnappyJavaMagic, sizeof kSnappyJavaMagic);
  PutBe32(&out, 1);  // version
  PutBe32(&out, 1);  // minimum compatible version
  std::string block;
  for (size_t at = 0; at < data.size(); at += kSnappyJavaBlock) {
    size_t n = std::min(kSnappyJavaBlock, data.size() - at);
    snappy::Compress(data.data() + at, n, &block);
    PutBe32(&out, static_cast<uint32_t>(block.size()));
    out.append(block);
  }
  return out;
}

std::string HadoopSnappyCompress(std::string_view data) {
  std::string out;
  std::string block;
  for (size_t at = 0; at < data.size(); at += kSnappyJavaBlock) {
    size_t n = std::min(kSnappyJavaBlock, data.size() - at);
    snappy::Compress(data.data() + at, n, &block);
    PutBe32(&out, static_cast<uint32_t>(n));
    PutBe32(&out, static_cast<uint32_t>(block.size()));
    out.append(block);
  }
  return out;
}

std::string SnappyFramedCompress(std::string_view data) {
  std::string out(kFramedStreamId, sizeof kFramedStreamId);
  std::string block;
  for (size_t at = 0; at < data.size(); at += kFramedChunk) {
    std::string_view chunk = data.substr(at, kFramedChunk);
    uint32_t masked = MaskCrc(Crc32c(chunk));
    snappy::Compress(chunk.data(), chunk.size(), &block);
    bool compressed = block.size() < chunk.size();
    std::string_view body = compressed ? std::string_view(block) : chunk;
    uint32_t len = static_cast<uint32_t>(body.size() + 4);
    char hdr[4] = {static_cast<char>(compressed ? 0x00 : 0x01), static_cast<char>(len), static_cast<char>(len >> 8),
                   static_cast<char>(len >> 16)};
    out.append(hdr, 4);
    PutLe32(&out, masked);
    out.append(body);
  }
  return out;
}

Result<std::string> GzipDecompress(std::string_view data, size_t max_output) {
  if (data.size() < 18 || static_cast<unsigned char>(data[0]) != 0x1f || static_cast<unsigned char>(data[1]) != 0x8b) {
    return Status::Corruption("not gzip data");
  }
  return Inflate(data, 15 + 16, max_output);
}

Result<std::string> ZipDecompress(std::string_view data, std::string* entry_name, size_t max_output) {
  if (data.size() < 30 + 22 || Le32(data, 0) != 0x04034b50) return Status::Corruption("not a ZIP archive");
  // The end of central directory record (no archive comment) must close the file.
  size_t eocd = data.size() - 22;
  if (Le32(data, eocd) != 0x06054b50 || Le16(data, eocd + 20) != 0) {
    return Status::Corruption("ZIP end of central directory record missing");
  }
  uint32_t entries = Le16(data, eocd + 10), cd_size = Le32(data, eocd + 12), cd_offset = Le32(data, eocd + 16);
  if (entries != 1 || uint64_t{cd_offset} + cd_size != eocd || cd_size < 46 || Le32(data, cd_offset) != 0x02014b50) {
    return Status::Corruption("ZIP archive must hold exactly one entry with a valid central directory");
  }
  uint32_t flags = Le16(data, 6), method = Le16(data, 8), crc = Le32(data, 14);
  uint32_t csize = Le32(data, 18), usize = Le32(data, 22), name_len = Le16(data, 26), extra_len = Le16(data, 28);
  if ((flags & 0x0008) != 0) return Status::Corruption("ZIP data descriptors are not supported");
  size_t start = 30 + size_t{name_len} + extra_len;
  if (cd_offset < start || cd_offset - start < csize) return Status::Corruption("truncated ZIP entry");
  if (usize > max_output)
    return Status::ResourceExhausted("ZIP entry exceeds " + std::to_string(max_output) + " bytes");
  if (entry_name) entry_name->assign(data.substr(30, name_len));
  std::string_view body = data.substr(start, csize);
  std::string out;
  if (method == 0) {
    out.assign(body);
  } else if (method == 8) {
    auto inflated = Inflate(body, -15, max_output);
    if (!inflated.ok()) return inflated.status();
    out = std::move(*inflated);
  } else {
    return Status::Corruption("unsupported ZIP compression method " + std::to_string(method));
  }
  if (out.size() != usize || Crc32(out) != crc) return Status::Corruption("ZIP entry size or CRC-32 mismatch");
  return out;
}

Result<std::string> SnappyJavaDecompress(std::string_view data, size_t max_output) {
  if (data.size() < 16 || data.substr(0, 8) != std::string_view(kSnappyJavaMagic, 8)) {
    return Status::Corruption("not a snappy-java stream");
  }
  std::string out;
  size_t at = 16;
  while (at < data.size()) {
    if (data.size() - at >= 8 && data.substr(at, 8) == std::string_view(kSnappyJavaMagic, 8)) {
      at += 16;  // a concatenated stream's header
      continue;
    }
    if (data.size() - at < 4) return Status::Corruption("truncated snappy-java block length");
    uint32_t n = Be32(data, at);
    at += 4;
    if (data.size() - at < n) return Status::Corruption("truncated snappy-java block");
    SLUICE_RETURN_IF_ERROR(SnappyBlock(data.substr(at, n), max_output, out.size(), &out));
    at += n;
  }
  return out;
}

Result<std::string> HadoopSnappyDecompress(std::string_view data, size_t max_output) {
  std::string out;
  size_t at = 0;
  while (at < data.size()) {
    if (data.size() - at < 4) return Status::Corruption("truncated hadoop-snappy block length");
    uint32_t want = Be32(data, at);
    at += 4;
    if (out.size() + want > max_output) {
      return Status::ResourceExhausted("decompressed data exceeds " + std::to_string(max_output) + " bytes");
    }
    size_t goal = out.size() + want;
    while (out.size() < goal) {
      if (data.size() - at < 4) return Status::Corruption("truncated hadoop-snappy chunk length");
      uint32_t n = Be32(data, at);
      at += 4;
      if (data.size() - at < n) return Status::Corruption("truncated hadoop-snappy chunk");
      SLUICE_RETURN_IF_ERROR(SnappyBlock(data.substr(at, n), goal, out.size(), &out));
      at += n;
    }
  }
  return out;
}

Result<std::string> SnappyFramedDecompress(std::string_view data, size_t max_output) {
  if (data.size() < sizeof kFramedStreamId ||
      data.substr(0, sizeof kFramedStreamId) != std::string_view(kFramedStreamId, sizeof kFramedStreamId)) {
    return Status::Corruption("missing snappy framing stream identifier");
  }
  std::string out;
  size_t at = 0;
  while (at < data.size()) {
    if (data.size() - at < 4) return Status::Corruption("truncated snappy frame header");
    unsigned type = static_cast<unsigned char>(data[at]);
    size_t len = static_cast<unsigned char>(data[at + 1]) | (static_cast<unsigned char>(data[at + 2]) << 8) |
                 (static_cast<size_t>(static_cast<unsigned char>(data[at + 3])) << 16);
    at += 4;
    if (data.size() - at < len) return Status::Corruption("truncated snappy frame");
    std::string_view body = data.substr(at, len);
    at += len;
    if (type == 0xff) {
      if (body != "sNaPpY") return Status::Corruption("bad snappy stream identifier");
    } else if (type == 0x00 || type == 0x01) {
      if (len < 4) return Status::Corruption("snappy frame too short");
      uint32_t masked = Le32(body, 0);
      size_t before = out.size();
      if (type == 0x00) {
        SLUICE_RETURN_IF_ERROR(SnappyBlock(body.substr(4), max_output, out.size(), &out));
      } else {
        if (out.size() + len - 4 > max_output) return Status::ResourceExhausted("decompressed data too large");
        out.append(body.substr(4));
      }
      if (out.size() - before > kFramedChunk) return Status::Corruption("snappy frame exceeds 65536 bytes");
      if (MaskCrc(Crc32c(std::string_view(out).substr(before))) != masked) {
        return Status::Corruption("snappy frame CRC-32C mismatch");
      }
    } else if (type >= 0x02 && type <= 0x7f) {
      return Status::Corruption("reserved unskippable snappy frame type " + std::to_string(type));
    }  // 0x80..0xfe: skippable (padding)
  }
  return out;
}

Result<std::string> Compress(Compression c, std::string_view data, std::string_view entry_name, int64_t mtime_ms) {
  switch (c) {
    case Compression::kUncompressed: return std::string(data);
    case Compression::kGzip: return GzipCompress(data);
    case Compression::kZip: return ZipCompress(data, entry_name, mtime_ms);
    case Compression::kSnappy: return SnappyJavaCompress(data);
    case Compression::kHadoopSnappy: return HadoopSnappyCompress(data);
  }
  return Status::InvalidArgument("unknown compression format");
}

Result<std::string> Decompress(Compression c, std::string_view data, size_t max_output) {
  switch (c) {
    case Compression::kUncompressed:
      if (data.size() > max_output) return Status::ResourceExhausted("data too large");
      return std::string(data);
    case Compression::kGzip: return GzipDecompress(data, max_output);
    case Compression::kZip: return ZipDecompress(data, nullptr, max_output);
    case Compression::kSnappy: return SnappyJavaDecompress(data, max_output);
    case Compression::kHadoopSnappy: return HadoopSnappyDecompress(data, max_output);
  }
  return Status::InvalidArgument("unknown compression format");
}

}  // namespace sluice::compress
