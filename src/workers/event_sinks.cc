#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "codec/base64.h"
#include "io/file_util.h"
#include "sluice/consumer.h"
#include "sluice/pipeline/json_fields.h"

namespace sluice::workers {

namespace {

// One output line for `e`: its data when that is a single line of JSON, else
// a JSON envelope carrying the data in base64.
std::string RenderLine(const ProcessedEvent& e) {
  bool one_line = !e.data.empty() && e.data.find('\n') == std::string::npos &&
                  (e.data.front() == '{' || e.data.front() == '[') && pipeline::ExtractJsonFields(e.data, {}).ok();
  if (one_line) return e.data + "\n";
  return "{\"shard_id\":\"" + e.shard_id + "\",\"sequence_number\":\"" + e.sequence_number + "\",\"data_base64\":\"" +
         codec::Base64Encode(e.data) + "\"}\n";
}

class Callback final : public EventSink {
 public:
  explicit Callback(std::function<void(const ProcessedEvent&)> fn) : fn_(std::move(fn)) {}
  std::string Name() const override { return "callback"; }
  Status Write(const ProcessedEvent& e) override {
    fn_(e);
    return Status::Ok();
  }
  Result<std::string> Commit() override { return std::string(); }
  Status Rewind(const std::string&) override { return Status::Ok(); }

 private:
  std::function<void(const ProcessedEvent&)> fn_;
};

class Stdout final : public EventSink {
 public:
  std::string Name() const override { return "stdout"; }
  Status Write(const ProcessedEvent& e) override {
    std::string line = RenderLine(e);
    if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size()) return Status::IoError("writing stdout");
    return Status::Ok();
  }
  Result<std::string> Commit() override {
    std::fflush(stdout);
    return std::string();
  }
  Status Rewind(const std::string&) override { return Status::Ok(); }
};

// Writes lines to something that is not a regular file (a pipe, a terminal,
// /dev/null, ...): Commit writes them out, with no sync (fdatasync does not
// apply) and no position, so Rewind cannot cut anything back: at-least-once
// across crashes, like stdout.
class Unseekable final : public EventSink {
 public:
  Unseekable(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  ~Unseekable() override { ::close(fd_); }
  std::string Name() const override { return "stream:" + path_.string(); }
  Status Write(const ProcessedEvent& e) override {
    pending_ += RenderLine(e);
    return Status::Ok();
  }
  Result<std::string> Commit() override {
    std::string_view left = pending_;
    while (!left.empty()) {
      ssize_t n = ::write(fd_, left.data(), left.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return io::ErrnoStatus("write", path_);
      }
      left.remove_prefix(static_cast<size_t>(n));
    }
    pending_.clear();
    return std::string();
  }
  Status Rewind(const std::string&) override { return Status::Ok(); }

 private:
  int fd_;
  std::filesystem::path path_;
  std::string pending_;
};

// Appends lines to a file; Commit writes them and fdatasyncs, returning the
// file length, which Rewind cuts back to.
class File final : public EventSink {
 public:
  File(int fd, std::filesystem::path path, uint64_t size) : fd_(fd), path_(std::move(path)), size_(size) {}
  ~File() override { ::close(fd_); }
  std::string Name() const override { return "file:" + path_.string(); }
  Status Write(const ProcessedEvent& e) override {
    pending_ += RenderLine(e);
    return Status::Ok();
  }
  Result<std::string> Commit() override {
    std::string_view left = pending_;
    uint64_t at = size_;
    while (!left.empty()) {
      ssize_t n = ::pwrite(fd_, left.data(), left.size(), static_cast<off_t>(at));
      if (n < 0) {
        if (errno == EINTR) continue;
        return io::ErrnoStatus("write", path_);
      }
      left.remove_prefix(static_cast<size_t>(n));
      at += static_cast<uint64_t>(n);
    }
    if (!pending_.empty() && ::fdatasync(fd_) != 0) return io::ErrnoStatus("fdatasync", path_);
    size_ = at;
    pending_.clear();
    return std::to_string(size_);
  }
  Status Rewind(const std::string& position) override {
    uint64_t pos = 0;
    try {
      pos = std::stoull(position);
    } catch (...) {
      return Status::Corruption("bad output position '" + position + "' in the checkpoint");
    }
    if (pos > size_)
      return Status::FailedPrecondition(path_.string() + " is shorter (" + std::to_string(size_) +
                                        " bytes) than its checkpointed length " + position +
                                        ": it was changed outside the consumer");
    if (::ftruncate(fd_, static_cast<off_t>(pos)) != 0 || ::fdatasync(fd_) != 0)
      return io::ErrnoStatus("truncate", path_);
    size_ = pos;
    pending_.clear();
    return Status::Ok();
  }

 private:
  int fd_;
  std::filesystem::path path_;
  uint64_t size_;
  std::string pending_;
};

}  // namespace

std::unique_ptr<EventSink> CallbackSink(std::function<void(const ProcessedEvent&)> fn) {
  return std::make_unique<Callback>(std::move(fn));
}

Result<std::unique_ptr<EventSink>> NdjsonFileSink(const std::string& path) {
  if (path == "-") return std::unique_ptr<EventSink>(std::make_unique<Stdout>());
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(path, ec);
  int fd = ::open(abs.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return io::ErrnoStatus("open", abs);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    Status err = io::ErrnoStatus("stat", abs);
    ::close(fd);
    return err;
  }
  if (!S_ISREG(st.st_mode)) return std::unique_ptr<EventSink>(std::make_unique<Unseekable>(fd, abs));
  off_t size = ::lseek(fd, 0, SEEK_END);
  if (size < 0) {
    Status st = io::ErrnoStatus("seek", abs);
    ::close(fd);
    return st;
  }
  return std::unique_ptr<EventSink>(std::make_unique<File>(fd, abs, static_cast<uint64_t>(size)));
}

}  // namespace sluice::workers
