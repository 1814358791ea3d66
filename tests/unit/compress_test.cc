// Object compression (src/compress/compress.h): round trips through our
// decoders, the exact container layouts, and decoding by standard tools
// (gunzip, unzip, Python's zipfile and python-snappy) run from the test.
// Set SLUICE_FORMAT_SAMPLES_DIR to keep the sample objects for inspection.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "compress/compress.h"

namespace sluice::compress {
namespace {

namespace fs = std::filesystem;

std::string Ndjson(size_t approx_bytes) {
  std::string s;
  for (int i = 0; s.size() < approx_bytes; ++i) {
    s += "{\"event_id\":\"e-" + std::to_string(i) + "\",\"user_id\":" + std::to_string(i % 97) +
         ",\"value\":" + std::to_string(i * 7 % 1000) + ",\"event_type\":\"click\"}\n";
  }
  return s;
}

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

// Text plus an incompressible tail, crossing the 32 KiB and 64 KiB block sizes.
std::string Sample() { return Ndjson(150'000) + RandomBytes(70'000, 7); }

const char* Name(Compression c) {
  switch (c) {
    case Compression::kUncompressed: return "UNCOMPRESSED";
    case Compression::kGzip: return "GZIP";
    case Compression::kZip: return "ZIP";
    case Compression::kSnappy: return "Snappy";
    case Compression::kHadoopSnappy: return "HADOOP_SNAPPY";
  }
  return "?";
}

uint32_t Be32(std::string_view b, size_t at) {
  return (uint32_t{static_cast<unsigned char>(b[at])} << 24) | (uint32_t{static_cast<unsigned char>(b[at + 1])} << 16) |
         (uint32_t{static_cast<unsigned char>(b[at + 2])} << 8) | uint32_t{static_cast<unsigned char>(b[at + 3])};
}

TEST(FirehoseFormatCompress, Crc32cMatchesTheStandardCheckValues) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);  // RFC 3720 B.4
  EXPECT_EQ(Crc32c(""), 0u);
}

TEST(FirehoseFormatCompress, EveryFormatRoundTrips) {
  for (const std::string& data : {std::string(), std::string("x"), Ndjson(1000), Sample()}) {
    for (Compression c : {Compression::kUncompressed, Compression::kGzip, Compression::kZip, Compression::kSnappy,
                          Compression::kHadoopSnappy}) {
      auto packed = Compress(c, data, "entry");
      ASSERT_TRUE(packed.ok()) << packed.status().ToString();
      auto back = Decompress(c, *packed);
      ASSERT_TRUE(back.ok()) << Name(c) << ": " << back.status().ToString();
      EXPECT_EQ(*back, data) << Name(c);
    }
    auto framed = SnappyFramedDecompress(SnappyFramedCompress(data));
    ASSERT_TRUE(framed.ok()) << framed.status().ToString();
    EXPECT_EQ(*framed, data);
  }
}

TEST(FirehoseFormatCompress, TextActuallyShrinks) {
  std::string data = Ndjson(200'000);
  for (Compression c : {Compression::kGzip, Compression::kZip, Compression::kSnappy, Compression::kHadoopSnappy}) {
    EXPECT_LT(Compress(c, data, "e")->size(), data.size() / 3) << Name(c);
  }
}

TEST(FirehoseFormatCompress, SnappyIsTheSnappyJavaStreamFormat) {
  std::string data = Ndjson(40'000);  // two 32 KiB blocks
  std::string out = *Compress(Compression::kSnappy, data, "");
  ASSERT_GE(out.size(), 16u);
  EXPECT_EQ(out.substr(0, 8), std::string("\x82SNAPPY\0", 8));
  EXPECT_EQ(Be32(out, 8), 1u);   // version
  EXPECT_EQ(Be32(out, 12), 1u);  // minimum compatible version
  uint32_t first = Be32(out, 16);
  uint32_t second = Be32(out, 20 + first);
  EXPECT_EQ(20u + first + 4 + second, out.size());
  EXPECT_EQ(Compress(Compression::kSnappy, "", "")->size(), 16u);
}

TEST(FirehoseFormatCompress, HadoopSnappyIsBlockCompressorStreamFormat) {
  std::string data = Ndjson(40'000);
  std::string out = *Compress(Compression::kHadoopSnappy, data, "");
  EXPECT_EQ(Be32(out, 0), 32u * 1024);  // uncompressed length of the first block
  uint32_t c1 = Be32(out, 4);
  EXPECT_EQ(Be32(out, 8 + c1), data.size() - 32 * 1024);
  uint32_t c2 = Be32(out, 12 + c1);
  EXPECT_EQ(16u + c1 + c2, out.size());
}

TEST(FirehoseFormatCompress, FramedSnappyHasStreamIdentifierAndMaskedCrcs) {
  std::string out = SnappyFramedCompress("hello hello hello hello");
  EXPECT_EQ(out.substr(0, 10), std::string("\xff\x06\x00\x00sNaPpY", 10));
  std::string corrupt = out;
  corrupt[15] ^= 0x01;  // inside the chunk's CRC
  EXPECT_EQ(SnappyFramedDecompress(corrupt).status().code(), StatusCode::kCorruption);
}

TEST(FirehoseFormatCompress, ZipHasOneNamedEntryWithCrcAndSizes) {
  std::string data = Ndjson(5000);
  auto z = ZipCompress(data, "my-stream-1-2018-08-27-10-30-00-uuid", 1535365800000);
  ASSERT_TRUE(z.ok());
  std::string name;
  auto back = ZipDecompress(*z, &name);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, data);
  EXPECT_EQ(name, "my-stream-1-2018-08-27-10-30-00-uuid");
  std::string flipped = *z;
  flipped[flipped.size() / 2] ^= 0x55;  // inside the deflate data
  EXPECT_FALSE(ZipDecompress(flipped).ok());
}

TEST(FirehoseFormatCompress, CorruptOrTruncatedInputIsAnErrorNotACrash) {
  std::string data = Sample();
  for (Compression c : {Compression::kGzip, Compression::kZip, Compression::kSnappy, Compression::kHadoopSnappy}) {
    std::string packed = *Compress(c, data, "e");
    for (size_t cut : {size_t{0}, size_t{3}, packed.size() / 2, packed.size() - 1}) {
      if (cut == 0 && c == Compression::kHadoopSnappy) continue;  // an empty stream is valid (empty payload)
      EXPECT_FALSE(Decompress(c, std::string_view(packed).substr(0, cut)).ok()) << Name(c) << " " << cut;
    }
    std::string garbage = RandomBytes(4096, 11);
    EXPECT_FALSE(Decompress(c, garbage).ok()) << Name(c);
  }
  EXPECT_FALSE(SnappyFramedDecompress("garbage").ok());
}

TEST(FirehoseFormatCompress, DecompressionIsBoundedByMaxOutput) {
  std::string data(1 << 20, 'a');
  for (Compression c : {Compression::kGzip, Compression::kZip, Compression::kSnappy, Compression::kHadoopSnappy}) {
    auto r = Decompress(c, *Compress(c, data, "e"), 1000);
    EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted) << Name(c);
  }
}

// ---- Standard tools ----

class StandardTools : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* keep = std::getenv("SLUICE_FORMAT_SAMPLES_DIR");
    if (keep && *keep) {
      dir_ = keep;
      fs::create_directories(dir_);
    } else {
      std::string tmpl = (fs::temp_directory_path() / "sluice-format-XXXXXX").string();
      ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
      dir_ = tmpl;
      cleanup_ = true;
    }
  }
  void TearDown() override {
    if (cleanup_) fs::remove_all(dir_);
  }
  static bool Have(const std::string& tool) {
    return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
  }
  static bool HavePythonSnappy() {
    return std::system("/usr/bin/python3 -c 'import snappy, snappy.hadoop_snappy' >/dev/null 2>&1") == 0;
  }
  std::string Write(const std::string& name, std::string_view bytes) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return path;
  }
  static std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // Runs `cmd` (stdout to `out`), returning its exit status.
  int Run(const std::string& cmd) { return std::system((cmd + " 2>" + (dir_ / "stderr.txt").string()).c_str()); }
  std::string Stderr() { return Read((dir_ / "stderr.txt").string()); }

  fs::path dir_;
  bool cleanup_ = false;
  const std::string data_ = Sample();
};

TEST_F(StandardTools, GunzipReadsGzipObjects) {
  if (!Have("gunzip")) GTEST_SKIP() << "gunzip is not installed (scripts/setup.sh installs it)";
  std::string gz = Write("obj.gz", *Compress(Compression::kGzip, data_, ""));
  ASSERT_EQ(Run("gunzip -t " + gz), 0) << Stderr();
  std::string out = (dir_ / "gunzipped").string();
  ASSERT_EQ(Run("gunzip -c " + gz + " > " + out), 0) << Stderr();
  EXPECT_EQ(Read(out), data_);
}

TEST_F(StandardTools, UnzipAndPythonZipfileReadZipObjects) {
  if (!Have("unzip")) GTEST_SKIP() << "unzip is not installed (scripts/setup.sh installs it)";
  std::string zip = Write("obj.zip", *ZipCompress(data_, "stream-1-2018-08-27-10-30-00-uuid", 1535365800000));
  ASSERT_EQ(Run("unzip -tq " + zip + " >/dev/null"), 0) << Stderr();
  std::string out = (dir_ / "unzipped").string();
  ASSERT_EQ(Run("unzip -p " + zip + " > " + out), 0) << Stderr();
  EXPECT_EQ(Read(out), data_);
  std::string listing = (dir_ / "listing").string();
  ASSERT_EQ(Run("/usr/bin/python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); "
                "assert z.testzip() is None; i = z.infolist(); assert len(i) == 1; "
                "print(i[0].filename, i[0].date_time[:4], i[0].file_size)' " +
                zip + " > " + listing),
            0)
      << Stderr();
  EXPECT_EQ(Read(listing),
            "stream-1-2018-08-27-10-30-00-uuid (2018, 8, 27, 10) " + std::to_string(data_.size()) + "\n");
}

TEST_F(StandardTools, PythonSnappyReadsHadoopSnappyObjects) {
  if (!HavePythonSnappy()) GTEST_SKIP() << "python3-snappy is not installed (scripts/setup.sh installs it)";
  std::string in = Write("obj.hadoop.snappy", *Compress(Compression::kHadoopSnappy, data_, ""));
  std::string out = (dir_ / "hadoop.out").string();
  ASSERT_EQ(Run("/usr/bin/python3 -m snappy -d -t hadoop_snappy " + in + " " + out), 0) << Stderr();
  EXPECT_EQ(Read(out), data_);
}

TEST_F(StandardTools, PythonSnappyReadsSnappyJavaObjectsBlockByBlock) {
  if (!HavePythonSnappy()) GTEST_SKIP() << "python3-snappy is not installed (scripts/setup.sh installs it)";
  // python-snappy has no snappy-java stream reader; its raw decoder reads each block.
  std::string in = Write("obj.snappy", *Compress(Compression::kSnappy, data_, ""));
  std::string out = (dir_ / "java.out").string();
  ASSERT_EQ(Run("/usr/bin/python3 -c '\n"
                "import struct, sys, snappy\n"
                "b = open(sys.argv[1], \"rb\").read()\n"
                "assert b[:8] == b\"\\x82SNAPPY\\x00\" and struct.unpack(\">ii\", b[8:16]) == (1, 1)\n"
                "i, out = 16, []\n"
                "while i < len(b):\n"
                "    n = struct.unpack(\">I\", b[i:i+4])[0]; out.append(snappy.uncompress(b[i+4:i+4+n])); i += 4 + n\n"
                "open(sys.argv[2], \"wb\").write(b\"\".join(out))\n' " +
                in + " " + out),
            0)
      << Stderr();
  EXPECT_EQ(Read(out), data_);
}

TEST_F(StandardTools, PythonSnappyReadsTheFramingFormat) {
  if (!HavePythonSnappy()) GTEST_SKIP() << "python3-snappy is not installed (scripts/setup.sh installs it)";
  // Debian 12's python3-snappy 0.5.3 cannot run its own framing decoder on
  // Python 3.11 (its C _crc32c raises "PY_SSIZE_T_CLEAN macro must be
  // defined"), so the script walks the chunks itself: python-snappy's raw
  // decoder for the data, an independent pure-Python CRC-32C for the checksums.
  std::string in = Write("obj.framed.sz", SnappyFramedCompress(data_));
  std::string out = (dir_ / "framed.out").string();
  ASSERT_EQ(Run("/usr/bin/python3 -c '\n"
                "import struct, sys, snappy\n"
                "T = []\n"
                "for n in range(256):\n"
                "    c = n\n"
                "    for _ in range(8): c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1\n"
                "    T.append(c)\n"
                "def crc32c(b):\n"
                "    c = 0xFFFFFFFF\n"
                "    for x in b: c = T[(c ^ x) & 0xFF] ^ (c >> 8)\n"
                "    return c ^ 0xFFFFFFFF\n"
                "assert crc32c(b\"123456789\") == 0xE3069283\n"
                "def masked(c): return (((c >> 15) | (c << 17)) + 0xa282ead8) & 0xFFFFFFFF\n"
                "b = open(sys.argv[1], \"rb\").read()\n"
                "assert b[:10] == b\"\\xff\\x06\\x00\\x00sNaPpY\"\n"
                "i, out = 10, []\n"
                "while i < len(b):\n"
                "    t = b[i]; n = int.from_bytes(b[i+1:i+4], \"little\"); body = b[i+4:i+4+n]; i += 4 + n\n"
                "    crc = struct.unpack(\"<I\", body[:4])[0]\n"
                "    chunk = snappy.uncompress(body[4:]) if t == 0 else body[4:]\n"
                "    assert t in (0, 1) and len(chunk) <= 65536 and masked(crc32c(chunk)) == crc\n"
                "    out.append(chunk)\n"
                "open(sys.argv[2], \"wb\").write(b\"\".join(out))\n' " +
                in + " " + out),
            0)
      << Stderr();
  EXPECT_EQ(Read(out), data_);
}

}  // namespace
}  // namespace sluice::compress
