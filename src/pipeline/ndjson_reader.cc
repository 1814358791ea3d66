#include "sluice/pipeline/ndjson_reader.h"

#include <cerrno>
#include <cinttypes>
#include <cstdlib>
#include <cstring>

#include "pipeline/rng.h"
#include "sluice/pipeline/json_fields.h"
#include "sluice/pipeline/record.h"

namespace sluice::pipeline {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

NdjsonReader::NdjsonReader(std::istream* in, NdjsonOptions options)
    : options_(std::move(options)), in_(in), rng_(std::make_unique<internal::SplitMix64>(options_.random_key_seed)) {}

NdjsonReader::NdjsonReader(FILE* file, NdjsonOptions options)
    : options_(std::move(options)),
      file_(file),
      rng_(std::make_unique<internal::SplitMix64>(options_.random_key_seed)) {}

Result<std::unique_ptr<NdjsonReader>> NdjsonReader::Open(const std::string& path, NdjsonOptions options) {
  if (path == "-") return std::make_unique<NdjsonReader>(stdin, std::move(options));
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    const int err = errno;
    std::string m = "cannot open " + path + ": " + std::strerror(err);
    return err == ENOENT ? Status::NotFound(std::move(m)) : Status::IoError(std::move(m));
  }
  auto r = std::make_unique<NdjsonReader>(f, std::move(options));
  r->owns_file_ = true;
  return r;
}

NdjsonReader::~NdjsonReader() {
  std::free(getline_buf_);
  if (owns_file_) std::fclose(file_);
}

Result<bool> NdjsonReader::ReadLine(std::string* line) {
  if (done_) return false;
  if (in_ != nullptr) {
    if (std::getline(*in_, *line)) return true;
    done_ = true;
    if (in_->bad()) return Status::IoError("reading input failed");
    return false;
  }
  errno = 0;
  const ssize_t n = ::getline(&getline_buf_, &getline_cap_, file_);
  if (n >= 0) {
    size_t len = static_cast<size_t>(n);
    if (len > 0 && getline_buf_[len - 1] == '\n') --len;
    line->assign(getline_buf_, len);
    return true;
  }
  done_ = true;
  if (std::ferror(file_)) return Status::IoError(std::string("reading input failed: ") + std::strerror(errno));
  return false;
}

void NdjsonReader::Reject(uint64_t line, std::string reason) {
  ++rejected_;
  NdjsonProblem problem{line, std::move(reason)};
  if (options_.on_problem) options_.on_problem(problem);
  if (problems_.size() < options_.max_reported_problems) problems_.push_back(std::move(problem));
}

Result<std::optional<NdjsonRecord>> NdjsonReader::Next() {
  std::string raw;
  const std::vector<std::string> paths = {options_.partition_key_field};
  while (true) {
    auto got = ReadLine(&raw);
    if (!got.ok()) return got.status();
    if (!*got) return std::optional<NdjsonRecord>();
    const uint64_t line_no = ++lines_;
    const std::string_view line = Trim(raw);
    if (line.empty()) {
      ++blank_;
      continue;
    }
    if (line.size() > options_.max_line_bytes) {
      Reject(line_no, "line is " + std::to_string(line.size()) + " bytes, more than the record limit of " +
                          std::to_string(options_.max_line_bytes) + " bytes");
      continue;
    }
    auto fields = ExtractJsonFields(line, paths);
    if (!fields.ok()) {
      ++malformed_json_;
      Reject(line_no, "invalid JSON: " + fields.status().message());
      continue;
    }
    NdjsonRecord rec;
    rec.line_number = line_no;
    const JsonField& key = (*fields)[0];
    if (key.kind == JsonField::Kind::kMissing || key.kind == JsonField::Kind::kNull) {
      char buf[17];
      std::snprintf(buf, sizeof buf, "%016" PRIx64, rng_->Next());
      rec.partition_key = buf;
      rec.random_key = true;
    } else if (!key.is_scalar()) {
      Reject(line_no, "partition key field '" + options_.partition_key_field + "' is an object or array");
      continue;
    } else if (Status st = ValidatePartitionKey(key.text); !st.ok()) {
      Reject(line_no, "partition key field '" + options_.partition_key_field + "': " + st.message());
      continue;
    } else {
      rec.partition_key = key.text;
    }
    rec.data.assign(line);
    ++records_;
    if (rec.random_key) ++random_keys_;
    return std::optional<NdjsonRecord>(std::move(rec));
  }
}

}  // namespace sluice::pipeline
