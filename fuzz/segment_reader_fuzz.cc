// Shard-log recovery and reads on damaged segment files (storage/shard_log.h,
// segment.h, segment_format.h). Byte 0 picks how the damaged log is made:
//   0  the rest of the input is the only segment file, as found on disk;
//   1  the rest describes frames (with good CRCs, so recovery's semantic
//      checks run): repeated [offset step:1][arrival step:1][key len:1]
//      [data len:1][key][data], written as a sealed segment (no .idx) and an
//      active one after it;
//   2  a valid 3-segment log (sealed ones with .idx) is written, then the
//      rest is applied as edits [file:1][position:2][xor:1], and a last
//      3-byte edit whose xor is 0 truncates that file at that position.
// Then the log is opened (recovery), read from start to end, searched by
// time, and appended to; the reads must be consistent with the offsets.
// The pure decoders (DecodeFrame, DecodeIndexFile, DecodeSegmentHeader) also
// get the raw input.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "storage/segment_format.h"
#include "storage/shard_log.h"

namespace fs = std::filesystem;
namespace storage = sluice::storage;
namespace format = sluice::storage::format;

namespace {

const fs::path& WorkDir() {
  static const fs::path dir = fs::temp_directory_path() / ("sluice-segment-fuzz-" + std::to_string(::getpid()));
  return dir;
}

void WriteFile(const fs::path& p, std::string_view bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

storage::ShardLogOptions Options() {
  storage::ShardLogOptions o;
  o.fsync = storage::FsyncPolicy::kOsBuffered;
  o.segment_max_bytes = 512;
  o.index_interval_bytes = 64;
  return o;
}

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "segment_reader_fuzz: %s\n", what);
    std::abort();
  }
}

// Mode 1: frames with valid checksums but fuzzed offsets and arrival times.
void WriteFrames(std::string_view in, const fs::path& dir) {
  std::string sealed = format::EncodeSegmentHeader(0);
  std::string active;
  uint64_t offset = 0;
  int64_t arrival = 1'700'000'000'000;
  bool second = false;
  while (in.size() >= 4) {
    uint8_t step = in[0], arrival_step = in[1];
    size_t key_len = static_cast<uint8_t>(in[2]), data_len = static_cast<uint8_t>(in[3]);
    in.remove_prefix(4);
    key_len = std::min(key_len, in.size());
    std::string_view key = in.substr(0, key_len);
    in.remove_prefix(key_len);
    data_len = std::min(data_len, in.size());
    std::string_view data = in.substr(0, data_len);
    in.remove_prefix(data_len);
    offset += static_cast<int8_t>(step);  // may go backwards or repeat
    arrival += static_cast<int8_t>(arrival_step) * 1000;
    if (step == 0x80) {  // switch to the active segment, based at the next offset
      second = true;
      active = format::EncodeSegmentHeader(offset);
      continue;
    }
    (second ? active : sealed) += format::EncodeFrame(offset, arrival, key, data);
  }
  WriteFile(dir / format::SegmentFileName(0), sealed);
  if (second) {
    uint64_t base = 0;
    if (format::DecodeSegmentHeader(active, &base) && base != 0) WriteFile(dir / format::SegmentFileName(base), active);
  }
}

// Mode 2: a valid multi-segment log, then byte edits and a truncation.
void WriteAndDamage(std::string_view in, const fs::path& dir) {
  {
    auto log = storage::ShardLog::Open(dir, Options());
    Check(log.ok(), "cannot create the log to damage");
    for (int i = 0; i < 24; ++i) {
      std::string key = "pk" + std::to_string(i), data(40 + i, static_cast<char>('a' + i));
      storage::AppendEntry e{key, data};
      Check(log.value()->Append({&e, 1}, 1'700'000'000'000 + i * 1000).ok(), "append failed");
      Check(log.value()->Sync().ok(), "sync failed");
    }
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) return;
  while (in.size() >= 4) {
    const fs::path& f = files[static_cast<uint8_t>(in[0]) % files.size()];
    uint64_t pos = static_cast<uint8_t>(in[1]) | (static_cast<uint64_t>(static_cast<uint8_t>(in[2])) << 8);
    uint8_t x = in[3];
    in.remove_prefix(4);
    std::error_code ec;
    uint64_t size = fs::file_size(f, ec);
    if (ec || size == 0) continue;
    if (x == 0) {
      fs::resize_file(f, pos % (size + 1), ec);
      continue;
    }
    std::fstream io(f, std::ios::binary | std::ios::in | std::ios::out);
    io.seekg(static_cast<std::streamoff>(pos % size));
    char c = 0;
    io.read(&c, 1);
    io.seekp(static_cast<std::streamoff>(pos % size));
    c = static_cast<char>(c ^ x);
    io.write(&c, 1);
  }
}

void DecodeDirectly(std::string_view in) {
  format::FrameView frame;
  uint64_t frame_size = 0;
  if (format::DecodeFrame(in, &frame, &frame_size) == format::FrameCheck::kOk)
    Check(frame_size <= in.size(), "frame size");
  format::IndexFile index;
  (void)format::DecodeIndexFile(in, &index);
  uint64_t base = 0;
  (void)format::DecodeSegmentHeader(in, &base);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  DecodeDirectly(in);

  const fs::path& dir = WorkDir();
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir);
  switch (data[0] % 3) {
    case 0: WriteFile(dir / format::SegmentFileName(0), in); break;
    case 1: WriteFrames(in, dir); break;
    case 2: WriteAndDamage(in, dir); break;
  }

  auto opened = storage::ShardLog::Open(dir, Options());
  if (!opened.ok()) return 0;
  storage::ShardLog& log = *opened.value();
  const uint64_t start = log.start_offset(), end = log.committed_end();
  Check(start <= end, "start after end");
  uint64_t from = start;
  for (int reads = 0; from < end && reads < 64; ++reads) {
    auto r = log.Read(from, 7, 1 << 20);
    if (!r.ok()) break;  // Corruption of a damaged sealed segment is an answer
    uint64_t previous = from;
    for (const auto& rec : r.value().records) {
      Check(rec.offset >= previous && rec.offset < end, "record offset out of order or past the end");
      previous = rec.offset + 1;
    }
    // A reader below committed_end gets a record, an error or a position to
    // move on to; anything else would stall GetRecords forever.
    Check(r.value().next_offset > from, "read made no progress");
    from = r.value().next_offset;
  }
  (void)log.FindByTime(1'700'000'010'000);
  // The recovered log accepts and returns a new record.
  storage::AppendEntry e{"k", "after-recovery"};
  auto first = log.Append({&e, 1}, 1'800'000'000'000);
  if (first.ok() && log.Sync().ok()) {
    auto r = log.Read(first.value(), 1, 1 << 20);
    Check(r.ok() && r.value().records.size() == 1 && r.value().records[0].data == "after-recovery",
          "a record appended after recovery cannot be read back");
  }
  return 0;
}
