// Object compression for Firehose's CompressionFormat, producing the container
// formats the service delivers (and reading them back: the demo, tests) (docs/format/firehose-objects.md):
//
//   UNCOMPRESSED   the payload as is
//   GZIP           one gzip member (RFC 1952), deflate by ISA-L igzip level 1
//   ZIP            a single-entry .zip (local header, deflate data, central
//                  directory, end record; CRC-32 and sizes; no ZIP64, so
//                  entries are limited to < 4 GiB)
//   Snappy         the xerial snappy-java *stream* format, which is what the
//                  service writes (Content-Encoding: snappy-java): 16-byte header
//                  0x82 "SNAPPY" 0x00, BE32 version 1, BE32 compatible version 1,
//                  then per 32 KiB of input: BE32 compressed length + raw snappy block
//   HADOOP_SNAPPY  Hadoop BlockCompressorStream format (Content-Encoding:
//                  hadoop-snappy): per 32 KiB of input: BE32 uncompressed length,
//                  BE32 compressed length, raw snappy block
//
// The official Snappy *framing* format (stream identifier "sNaPpY" + chunks
// with masked CRC-32C, readable by python-snappy's StreamDecompressor) is
// available as SnappyFramedCompress for consumers that want it; it is not what
// Firehose's "Snappy" produces.
//
// Decompress is the inverse of Compress, bounded by `max_output` bytes, and
// returns Corruption for malformed input. All functions are pure and
// thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace sluice::compress {

// Firehose's CompressionFormat values (firehose::Compression is this type).
enum class Compression { kUncompressed, kGzip, kZip, kSnappy, kHadoopSnappy };

// `entry_name` is the ZIP entry's name (ignored by the other formats);
// `mtime_ms` the ZIP entry's modification time (UTC; 0 = 1980-01-01 00:00).
Result<std::string> Compress(Compression c, std::string_view data, std::string_view entry_name, int64_t mtime_ms = 0);

inline constexpr size_t kDefaultMaxDecompressed = size_t{1} << 30;
Result<std::string> Decompress(Compression c, std::string_view data, size_t max_output = kDefaultMaxDecompressed);

// CRC-32C (Castagnoli), standard init/final xor: Crc32c("123456789") == 0xE3069283.
uint32_t Crc32c(std::string_view data);

// The building blocks.
std::string GzipCompress(std::string_view data);
Result<std::string> ZipCompress(std::string_view data, std::string_view entry_name, int64_t mtime_ms = 0);
std::string SnappyJavaCompress(std::string_view data);
std::string HadoopSnappyCompress(std::string_view data);
std::string SnappyFramedCompress(std::string_view data);

Result<std::string> GzipDecompress(std::string_view data, size_t max_output = kDefaultMaxDecompressed);
// The single entry's bytes (and name, if `entry_name` is given); CRC checked.
Result<std::string> ZipDecompress(std::string_view data, std::string* entry_name = nullptr,
                                  size_t max_output = kDefaultMaxDecompressed);
Result<std::string> SnappyJavaDecompress(std::string_view data, size_t max_output = kDefaultMaxDecompressed);
Result<std::string> HadoopSnappyDecompress(std::string_view data, size_t max_output = kDefaultMaxDecompressed);
Result<std::string> SnappyFramedDecompress(std::string_view data, size_t max_output = kDefaultMaxDecompressed);

}  // namespace sluice::compress
