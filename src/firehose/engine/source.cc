#include "firehose/engine/source.h"

#include "base/mutex.h"
#include "kinesis/catalog.h"
#include "storage/shard_log.h"

namespace sluice::firehose::engine {

namespace {

std::vector<SourceRecord> Convert(uint32_t partition, std::vector<storage::StoredRecord>&& in) {
  std::vector<SourceRecord> out;
  out.reserve(in.size());
  for (auto& r : in) out.push_back({partition, r.offset, r.arrival_ms, std::move(r.partition_key), std::move(r.data)});
  return out;
}

class Spool final : public Source {
 public:
  explicit Spool(storage::ShardLog* log) : log_(log) {}
  Result<std::vector<uint32_t>> Partitions() override { return std::vector<uint32_t>{0}; }
  Result<uint64_t> InitialOffset(uint32_t) override { return uint64_t{0}; }
  Result<std::vector<SourceRecord>> Read(uint32_t partition, uint64_t offset, size_t max_records, size_t max_bytes,
                                         uint64_t* next) override {
    if (offset >= log_->committed_end()) {
      *next = offset;
      return std::vector<SourceRecord>{};
    }
    auto r = log_->Read(offset, max_records, max_bytes);
    if (!r.ok()) return r.status();
    *next = r->next_offset;
    return Convert(partition, std::move(r->records));
  }

 private:
  storage::ShardLog* log_;
};

class Kinesis final : public Source {
 public:
  Kinesis(kinesis::StreamCatalog* catalog, std::string region, std::string name, int64_t start_ms)
      : catalog_(catalog), region_(std::move(region)), name_(std::move(name)), start_ms_(start_ms) {}

  Result<std::vector<uint32_t>> Partitions() override {
    auto s = Stream();
    if (!s) return Status::NotFound("Kinesis stream " + name_ + " not found");
    ReaderLock lk(s->mu);
    std::vector<uint32_t> out;
    for (const auto& shard : s->meta().shards) out.push_back(shard.index);
    return out;
  }

  Result<uint64_t> InitialOffset(uint32_t partition) override {
    auto s = Stream();
    if (!s) return Status::NotFound("Kinesis stream " + name_ + " not found");
    ReaderLock lk(s->mu);
    if (partition >= s->meta().shards.size()) return Status::NotFound("no such shard");
    if (s->meta().shards[partition].created_ms > start_ms_) return uint64_t{0};  // a later child shard
    return s->log(partition)->FindByTime(start_ms_);
  }

  Result<std::vector<SourceRecord>> Read(uint32_t partition, uint64_t offset, size_t max_records, size_t max_bytes,
                                         uint64_t* next) override {
    auto s = Stream();
    if (!s) return Status::NotFound("Kinesis stream " + name_ + " not found");
    ReaderLock lk(s->mu);
    if (partition >= s->meta().shards.size()) return Status::NotFound("no such shard");
    storage::ShardLog* log = s->log(partition);
    uint64_t end = s->meta().shards[partition].ending_offset.value_or(UINT64_MAX);
    if (offset >= std::min(end, log->committed_end())) {
      *next = offset;
      return std::vector<SourceRecord>{};
    }
    auto r = log->Read(offset, max_records, max_bytes);
    if (!r.ok()) return r.status();
    while (!r->records.empty() && r->records.back().offset >= end) r->records.pop_back();
    *next = r->records.empty() ? std::min(r->next_offset, end) : r->records.back().offset + 1;
    return Convert(partition, std::move(r->records));
  }

 private:
  std::shared_ptr<kinesis::Stream> Stream() const {
    auto s = catalog_->Find(region_, name_);
    return s;
  }
  kinesis::StreamCatalog* catalog_;
  std::string region_, name_;
  int64_t start_ms_;
};

}  // namespace

std::unique_ptr<Source> SpoolSource(storage::ShardLog* spool) { return std::make_unique<Spool>(spool); }

std::unique_ptr<Source> KinesisSource(kinesis::StreamCatalog* catalog, std::string region, std::string stream_name,
                                      int64_t start_ms) {
  return std::make_unique<Kinesis>(catalog, std::move(region), std::move(stream_name), start_ms);
}

}  // namespace sluice::firehose::engine
