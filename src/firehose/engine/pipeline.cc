#include "firehose/engine/pipeline.h"

#include <algorithm>
#include <chrono>
#include <iostream>

#include "codec/base64.h"

namespace sluice::firehose::engine {

namespace {
constexpr size_t kReadRecords = 10'000;
constexpr size_t kReadBytes = 4u << 20;
// Dynamic partitioning allows 500 active partitions per delivery stream.
constexpr size_t kMaxBuffers = 500;

std::string PartitionKeyOf(const PartitionValues& p) {
  std::string k;
  for (const auto& [name, value] : p) k += name + "=" + value + "\x1f";
  return k;
}

// An error-output line as Firehose writes it for records it could not process.
std::string ErrorRecord(const SourceRecord& r, const ProcessingFailure& f, int64_t now_ms) {
  auto esc = [](const std::string& s) {
    std::string o;
    for (char c : s) {
      if (c == '"' || c == '\\') o += '\\';
      if (static_cast<unsigned char>(c) < 0x20) continue;
      o += c;
    }
    return o;
  };
  return "{\"attemptsMade\":1,\"arrivalTimestamp\":" + std::to_string(r.arrival_ms) + ",\"errorCode\":\"" +
         esc(f.error_code) + "\",\"errorMessage\":\"" + esc(f.error_message) +
         "\",\"attemptEndingTimestamp\":" + std::to_string(now_ms) + ",\"rawData\":\"" + codec::Base64Encode(r.data) +
         "\"}\n";
}
}  // namespace

Pipeline::Pipeline(std::shared_ptr<DeliveryStream> stream, const EngineOptions& options)
    : stream_(std::move(stream)), options_(options) {}

Pipeline::~Pipeline() { Stop(); }

void Pipeline::Start() {
  thread_ = std::thread([this] { Run(); });
}

void Pipeline::Stop() {
  {
    MutexLock lk(mu_);
    stop_ = true;
  }
  cv_.NotifyAll();
  if (thread_.joinable()) thread_.join();
}

void Pipeline::Wake() {
  {
    MutexLock lk(mu_);
    wake_ = true;
  }
  cv_.NotifyAll();
}

void Pipeline::ConfigChanged() {
  {
    MutexLock lk(mu_);
    config_changed_ = true;
    wake_ = true;
  }
  cv_.NotifyAll();
}

Status Pipeline::Setup() {
  {
    MutexLock lk(stream_->mu);
    config_ = stream_->config();
  }
  SLUICE_ASSIGN_OR_RETURN(formatter_, Formatter::Create(config_));
  if (!source_) {
    if (config_.type == DeliveryStreamType::kKinesisStreamAsSource) {
      // arn:aws:kinesis:<region>:<account>:stream/<name>
      const std::string& arn = config_.source_stream_arn;
      size_t slash = arn.rfind('/');
      std::string name = slash == std::string::npos ? arn : arn.substr(slash + 1);
      std::string region = config_.region;
      size_t p = 0;
      for (int i = 0; i < 3 && p != std::string::npos; ++i) p = arn.find(':', p + 1);
      if (p != std::string::npos) region = arn.substr(p + 1, arn.find(':', p + 1) - p - 1);
      source_ = KinesisSource(options_.kinesis, region, name, config_.delivery_start_ms);
    } else {
      if (!stream_->spool()) return Status::FailedPrecondition("DirectPut delivery stream without a spool");
      source_ = SpoolSource(stream_->spool());
    }
    positions_ = std::make_unique<Positions>(stream_->dir() / "positions.json", &stream_->fs());
    SLUICE_RETURN_IF_ERROR(positions_->Load());
  }
  return Status::Ok();
}

void Pipeline::Add(const std::string& key, Buffer proto, std::string bytes, const SourceRecord& from) {
  auto [it, inserted] = buffers_.try_emplace(key, std::move(proto));
  Buffer& b = it->second;
  if (inserted || b.records == 0) {
    b.opened_ms = options_.clock->NowMillis();
    b.oldest_arrival_ms = from.arrival_ms;
  }
  b.oldest_arrival_ms = std::min(b.oldest_arrival_ms, from.arrival_ms);
  b.payload += bytes;
  ++b.records;
  auto m = b.min_offset.find(from.partition);
  if (m == b.min_offset.end() || from.offset < m->second) b.min_offset[from.partition] = from.offset;
}

size_t Pipeline::BufferedBytes() const {
  size_t n = 0;
  for (const auto& [_, b] : buffers_) n += b.payload.size();
  return n;
}

Status Pipeline::ReadOnce(bool* got) {
  *got = false;
  auto parts = source_->Partitions();
  if (!parts.ok()) return parts.status();
  size_t limit = std::max<size_t>(size_t(config_.destination.buffering_size_mb) << 21, 8u << 20);
  int64_t now = options_.clock->NowMillis();
  for (uint32_t p : *parts) {
    if (!read_pos_.count(p)) {
      if (positions_->Has(p)) {
        read_pos_[p] = positions_->Get(p);
      } else {
        auto init = source_->InitialOffset(p);
        if (!init.ok()) return init.status();
        read_pos_[p] = *init;
        positions_->Set(p, *init);  // so that a restart starts here too
        SLUICE_RETURN_IF_ERROR(positions_->Save());
      }
    }
    // Back-pressure: while buffers are full (destination slow or down),
    // leave records in the source.
    if (BufferedBytes() >= limit || buffers_.size() >= kMaxBuffers) return Status::Ok();
    // Read no more than the fullest buffer can still take before SizeInMBs,
    // so that objects end near the size hint instead of overshooting it by
    // up to a whole read (Read returns at least one record).
    size_t fullest = 0;
    for (const auto& [_, b] : buffers_)
      if (!b.error_output) fullest = std::max(fullest, b.payload.size());
    size_t hint = size_t(config_.destination.buffering_size_mb) << 20;
    if (fullest >= hint) return Status::Ok();  // deliver it first
    size_t max_bytes = std::min(kReadBytes, hint - fullest);
    uint64_t next = read_pos_[p];
    auto recs = source_->Read(p, read_pos_[p], kReadRecords, max_bytes, &next);
    if (!recs.ok()) return recs.status();
    for (const SourceRecord& r : *recs) {
      std::vector<ProcessedRecord> out;
      std::optional<ProcessingFailure> failure;
      SLUICE_RETURN_IF_ERROR(formatter_->Process(r, &out, &failure));
      if (failure) {
        Buffer proto;
        proto.error_output = true;
        proto.error_type = "processing-failed";
        Add("\x1e"
            "error:processing-failed",
            std::move(proto), ErrorRecord(r, *failure, now), r);
        continue;
      }
      for (auto& pr : out) {
        Buffer proto;
        proto.partition = pr.partition;
        Add(PartitionKeyOf(pr.partition), std::move(proto), std::move(pr.bytes), r);
      }
    }
    read_pos_[p] = next;
    records_read_.fetch_add(recs->size(), std::memory_order_release);
    *got = *got || !recs->empty();
  }
  return Status::Ok();
}

bool Pipeline::Due(const Buffer& b, int64_t now) const {
  if (b.records == 0 || now < b.retry_at_ms) return false;
  if (b.payload.size() >= size_t(config_.destination.buffering_size_mb) << 20) return true;
  auto interval = static_cast<int64_t>(config_.destination.buffering_interval_s * 1000 * options_.interval_scale);
  return now - b.opened_ms >= interval;
}

Status Pipeline::Deliver(Buffer& b, int64_t now) {
  auto key = b.error_output ? formatter_->ErrorObjectKey(b.error_type, b.oldest_arrival_ms, now)
                            : formatter_->ObjectKey(b.partition, b.oldest_arrival_ms, now);
  if (!key.ok()) return key.status();
  auto body = formatter_->Encode(b.payload, *key);
  if (!body.ok()) return body.status();
  objstore::PutOptions put;
  put.content_encoding = formatter_->ContentEncoding();
  return options_.store->PutObject(config_.destination.bucket(), *key, *body, put);
}

Status Pipeline::CommitPositions() {
  bool changed = false;
  for (const auto& [p, read] : read_pos_) {
    uint64_t committed = read;
    for (const auto& [_, b] : buffers_) {
      auto it = b.min_offset.find(p);
      if (b.records > 0 && it != b.min_offset.end()) committed = std::min(committed, it->second);
    }
    if (!positions_->Has(p) || positions_->Get(p) != committed) {
      positions_->Set(p, committed);
      changed = true;
    }
  }
  return changed ? positions_->Save() : Status::Ok();
}

int64_t Pipeline::NextWakeMs(int64_t now) const {
  int64_t wake = next_read_ms_;
  for (const auto& [_, b] : buffers_) {
    if (b.records == 0) continue;
    auto interval = static_cast<int64_t>(config_.destination.buffering_interval_s * 1000 * options_.interval_scale);
    wake = std::min(wake, std::max(b.retry_at_ms, b.opened_ms + interval));
  }
  return std::max(wake, now + 1);
}

void Pipeline::Run() {
  std::string name;
  {
    MutexLock lk(stream_->mu);
    name = stream_->config().name;
  }
  int64_t setup_retry_ms = 0;
  while (true) {
    {
      MutexLock lk(mu_);
      if (stop_) return;
      if (config_changed_) {
        config_changed_ = false;
        lk.Unlock();
        // New configuration applies to objects not yet built: buffers are
        // kept, and built with the new settings.
        Status st = Setup();
        if (!st.ok()) {
          std::cerr << "sluice: delivery stream " << name << ": " << st.ToString() << "\n";
          MutexLock relock(mu_);
          config_changed_ = true;
          setup_retry_ms = options_.clock->NowMillis() + 1000;
        }
      }
    }
    int64_t now = options_.clock->NowMillis();
    if (formatter_ && source_ && now >= next_read_ms_) {
      bool got = false;
      Status st = ReadOnce(&got);
      if (!st.ok()) std::cerr << "sluice: delivery stream " << name << ": reading: " << st.ToString() << "\n";
      // DirectPut wakes us on new records; a Kinesis source is polled.
      next_read_ms_ =
          now + (config_.type == DeliveryStreamType::kKinesisStreamAsSource ? options_.source_poll_ms : 1000);
      // Catching up (a backlog in the shards, or in the spool after a restart
      // or an outage of the destination): read on.
      if (got) next_read_ms_ = now;
    }
    now = options_.clock->NowMillis();
    bool delivered = false;
    for (auto it = buffers_.begin(); formatter_ && it != buffers_.end();) {
      Buffer& b = it->second;
      if (!Due(b, now)) {
        ++it;
        continue;
      }
      Status st = Deliver(b, now);
      if (st.ok()) {
        it = buffers_.erase(it);
        delivered = true;
      } else {
        b.retry_delay_ms = std::clamp(b.retry_delay_ms * 2, options_.retry_min_ms, options_.retry_max_ms);
        b.retry_at_ms = now + b.retry_delay_ms;
        std::cerr << "sluice: delivery stream " << name << ": delivery failed, retrying in " << b.retry_delay_ms
                  << " ms: " << st.ToString() << "\n";
        ++it;
      }
    }
    // Room in the buffers again: read on (the source may hold a backlog).
    if (delivered) next_read_ms_ = std::min(next_read_ms_, now);
    if (delivered || buffers_.empty()) {
      Status st = positions_ ? CommitPositions() : Status::Ok();
      if (!st.ok()) std::cerr << "sluice: delivery stream " << name << ": saving positions: " << st.ToString() << "\n";
    }
    MutexLock lk(mu_);
    if (stop_) return;
    if (wake_) {
      wake_ = false;
      next_read_ms_ = 0;
      continue;
    }
    int64_t wake = NextWakeMs(options_.clock->NowMillis());
    if (config_changed_ && setup_retry_ms) wake = std::min(wake, setup_retry_ms);
    int64_t wait = std::min<int64_t>(wake - options_.clock->NowMillis(), 1000);
    if (wait > 0) {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait);
      while (!stop_ && !wake_ && cv_.WaitUntil(mu_, deadline)) {
      }
    }
    if (wake_) {
      wake_ = false;
      next_read_ms_ = 0;
    }
  }
}

}  // namespace sluice::firehose::engine
