// Byte-level encoding of segment (.log) and sparse index (.idx) files. Pure
// functions over buffers, no I/O. docs/format/segment.md is the contract;
// everything is little-endian (base/coding.h) and checksummed with CRC-32.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::storage::format {

inline constexpr uint32_t kFormatVersion = 1;

// Segment file header: magic[8] version:u32 flags:u32 base_offset:u64
// header_crc:u32 reserved:u32.
inline constexpr std::string_view kSegmentMagic{"SLUICSEG", 8};
inline constexpr size_t kSegmentHeaderSize = 32;

// Frame: length:u32 crc:u32 body[length]; crc = CRC-32(body).
// body: offset:u64 arrival_ms:i64 key_len:u16 key data_len:u32 data.
inline constexpr size_t kFrameHeaderSize = 8;
inline constexpr size_t kBodyFixedSize = 8 + 8 + 2 + 4;
// Bodies longer than this are rejected as garbage on decode (and on append).
inline constexpr uint32_t kMaxBodySize = 64u << 20;

// Index file: header, `count` entries, then CRC-32 of everything before it.
inline constexpr std::string_view kIndexMagic{"SLUICIDX", 8};
inline constexpr size_t kIndexHeaderSize = 48;
inline constexpr size_t kIndexEntrySize = 24;
inline constexpr size_t kIndexTrailerSize = 4;

// "00000000000000000042.log" / ".idx" for base offset 42.
std::string SegmentFileName(uint64_t base_offset);
std::string IndexFileName(uint64_t base_offset);
// Base offset of a segment file name, or nullopt if `name` is not one.
std::optional<uint64_t> ParseSegmentFileName(std::string_view name);
// Same for index file names.
std::optional<uint64_t> ParseIndexFileName(std::string_view name);

std::string EncodeSegmentHeader(uint64_t base_offset);
// True when `in` (at least kSegmentHeaderSize bytes) is a valid header; sets
// *base_offset.
bool DecodeSegmentHeader(std::string_view in, uint64_t* base_offset);

// Total bytes a frame for this key/data takes on disk.
inline uint64_t FrameSize(size_t key_len, size_t data_len) {
  return kFrameHeaderSize + kBodyFixedSize + key_len + data_len;
}

// Appends to *dst everything of the frame except the data bytes themselves
// (length, crc, offset, arrival, key length, key, data length): the caller
// writes `data` right after. The CRC already covers `data`.
void EncodeFramePrefix(uint64_t offset, int64_t arrival_ms, std::string_view key, std::string_view data,
                       std::string* dst);

// Convenience: a whole frame in one string (tests, tools).
std::string EncodeFrame(uint64_t offset, int64_t arrival_ms, std::string_view key, std::string_view data);

// A decoded frame; views point into the decoded buffer.
struct FrameView {
  uint64_t offset = 0;
  int64_t arrival_ms = 0;
  std::string_view key;
  std::string_view data;
};

enum class FrameCheck {
  kOk,
  kIncomplete,  // buffer ends before the frame does (torn tail if at EOF)
  kBadLength,   // length field out of range or inconsistent with the body
  kBadChecksum,
};

// Total frame size announced by a frame header (>= kFrameHeaderSize bytes),
// or nullopt when the length field is out of range.
std::optional<uint64_t> FrameSizeFromHeader(std::string_view header);

// Decodes the frame at the start of `buf`. On kOk fills *out and *frame_size.
FrameCheck DecodeFrame(std::string_view buf, FrameView* out, uint64_t* frame_size);

struct IndexEntry {
  uint64_t offset = 0;    // record offset
  uint64_t position = 0;  // byte position of its frame in the .log file
  int64_t arrival_ms = 0;
};

// Contents of a sealed segment's .idx file.
struct IndexFile {
  uint64_t base_offset = 0;
  uint64_t end_offset = 0;  // one past the segment's last record
  uint64_t log_bytes = 0;   // size of the .log file the index describes
  int64_t last_arrival_ms = 0;
  std::vector<IndexEntry> entries;
};

std::string EncodeIndexFile(const IndexFile& index);
// Checks magic, version, size and CRC only; semantic checks are the caller's.
bool DecodeIndexFile(std::string_view in, IndexFile* out);

}  // namespace sluice::storage::format
