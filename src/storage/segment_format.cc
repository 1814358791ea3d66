#include "storage/segment_format.h"

#include <cstdio>

#include "base/coding.h"
#include "base/crc32.h"

namespace sluice::storage::format {

namespace {

std::string ZeroPadded(uint64_t base_offset, const char* ext) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020llu%s", static_cast<unsigned long long>(base_offset), ext);
  return buf;
}

std::optional<uint64_t> ParseName(std::string_view name, std::string_view ext) {
  if (name.size() != 20 + ext.size() || name.substr(20) != ext) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 0; i < 20; ++i) {
    char c = name[i];
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

}  // namespace

std::string SegmentFileName(uint64_t base_offset) { return ZeroPadded(base_offset, ".log"); }
std::string IndexFileName(uint64_t base_offset) { return ZeroPadded(base_offset, ".idx"); }
std::optional<uint64_t> ParseSegmentFileName(std::string_view name) { return ParseName(name, ".log"); }
std::optional<uint64_t> ParseIndexFileName(std::string_view name) { return ParseName(name, ".idx"); }

std::string EncodeSegmentHeader(uint64_t base_offset) {
  std::string h(kSegmentMagic);
  PutFixed32(&h, kFormatVersion);
  PutFixed32(&h, 0);  // flags
  PutFixed64(&h, base_offset);
  PutFixed32(&h, Crc32(h));
  PutFixed32(&h, 0);  // reserved
  return h;
}

bool DecodeSegmentHeader(std::string_view in, uint64_t* base_offset) {
  if (in.size() < kSegmentHeaderSize) return false;
  if (in.substr(0, 8) != kSegmentMagic) return false;
  if (DecodeFixed32(in.data() + 8) != kFormatVersion) return false;
  if (DecodeFixed32(in.data() + 24) != Crc32(in.substr(0, 24))) return false;
  *base_offset = DecodeFixed64(in.data() + 16);
  return true;
}

void EncodeFramePrefix(uint64_t offset, int64_t arrival_ms, std::string_view key, std::string_view data,
                       std::string* dst) {
  size_t start = dst->size();
  uint64_t body_len = kBodyFixedSize + key.size() + data.size();
  PutFixed32(dst, static_cast<uint32_t>(body_len));
  PutFixed32(dst, 0);  // crc, patched below
  PutFixed64(dst, offset);
  PutFixed64(dst, static_cast<uint64_t>(arrival_ms));
  PutFixed16(dst, static_cast<uint16_t>(key.size()));
  dst->append(key);
  PutFixed32(dst, static_cast<uint32_t>(data.size()));
  std::string_view body_prefix(dst->data() + start + kFrameHeaderSize, dst->size() - start - kFrameHeaderSize);
  uint32_t crc = Crc32(data, Crc32(body_prefix));
  std::string crc_bytes;
  PutFixed32(&crc_bytes, crc);
  dst->replace(start + 4, 4, crc_bytes);
}

std::string EncodeFrame(uint64_t offset, int64_t arrival_ms, std::string_view key, std::string_view data) {
  std::string out;
  EncodeFramePrefix(offset, arrival_ms, key, data, &out);
  out.append(data);
  return out;
}

std::optional<uint64_t> FrameSizeFromHeader(std::string_view header) {
  uint32_t len = DecodeFixed32(header.data());
  if (len < kBodyFixedSize || len > kMaxBodySize) return std::nullopt;
  return kFrameHeaderSize + len;
}

FrameCheck DecodeFrame(std::string_view buf, FrameView* out, uint64_t* frame_size) {
  if (buf.size() < kFrameHeaderSize) return FrameCheck::kIncomplete;
  std::optional<uint64_t> size = FrameSizeFromHeader(buf);
  if (!size) return FrameCheck::kBadLength;
  if (buf.size() < *size) return FrameCheck::kIncomplete;
  std::string_view body = buf.substr(kFrameHeaderSize, *size - kFrameHeaderSize);
  if (Crc32(body) != DecodeFixed32(buf.data() + 4)) return FrameCheck::kBadChecksum;
  const char* p = body.data();
  uint16_t key_len = DecodeFixed16(p + 16);
  if (18u + key_len + 4u > body.size()) return FrameCheck::kBadLength;
  uint32_t data_len = DecodeFixed32(p + 18 + key_len);
  if (kBodyFixedSize + key_len + static_cast<uint64_t>(data_len) != body.size()) {
    return FrameCheck::kBadLength;
  }
  out->offset = DecodeFixed64(p);
  out->arrival_ms = static_cast<int64_t>(DecodeFixed64(p + 8));
  out->key = body.substr(18, key_len);
  out->data = body.substr(18 + key_len + 4, data_len);
  *frame_size = *size;
  return FrameCheck::kOk;
}

std::string EncodeIndexFile(const IndexFile& index) {
  std::string out(kIndexMagic);
  PutFixed32(&out, kFormatVersion);
  PutFixed32(&out, static_cast<uint32_t>(index.entries.size()));
  PutFixed64(&out, index.base_offset);
  PutFixed64(&out, index.end_offset);
  PutFixed64(&out, index.log_bytes);
  PutFixed64(&out, static_cast<uint64_t>(index.last_arrival_ms));
  out.reserve(out.size() + index.entries.size() * kIndexEntrySize + kIndexTrailerSize);
  for (const IndexEntry& e : index.entries) {
    PutFixed64(&out, e.offset);
    PutFixed64(&out, e.position);
    PutFixed64(&out, static_cast<uint64_t>(e.arrival_ms));
  }
  PutFixed32(&out, Crc32(out));
  return out;
}

bool DecodeIndexFile(std::string_view in, IndexFile* out) {
  if (in.size() < kIndexHeaderSize + kIndexTrailerSize) return false;
  if (in.substr(0, 8) != kIndexMagic) return false;
  if (DecodeFixed32(in.data() + 8) != kFormatVersion) return false;
  uint64_t count = DecodeFixed32(in.data() + 12);
  if (in.size() != kIndexHeaderSize + count * kIndexEntrySize + kIndexTrailerSize) return false;
  size_t crc_at = in.size() - kIndexTrailerSize;
  if (DecodeFixed32(in.data() + crc_at) != Crc32(in.substr(0, crc_at))) return false;
  out->base_offset = DecodeFixed64(in.data() + 16);
  out->end_offset = DecodeFixed64(in.data() + 24);
  out->log_bytes = DecodeFixed64(in.data() + 32);
  out->last_arrival_ms = static_cast<int64_t>(DecodeFixed64(in.data() + 40));
  out->entries.clear();
  out->entries.reserve(count);
  const char* p = in.data() + kIndexHeaderSize;
  for (uint64_t i = 0; i < count; ++i, p += kIndexEntrySize) {
    out->entries.push_back({DecodeFixed64(p), DecodeFixed64(p + 8), static_cast<int64_t>(DecodeFixed64(p + 16))});
  }
  return true;
}

}  // namespace sluice::storage::format
