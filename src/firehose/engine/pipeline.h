// Pipeline: one delivery stream's delivery loop, on its own thread.
//
//   read source records (from the saved positions) -> process (Formatter)
//   -> buffer (one buffer per dynamic partition, plus error output)
//   -> when a buffer reaches SizeInMBs or IntervalInSeconds: build the object,
//      PutObject, and only then advance the saved positions past every record
//      no longer held by a buffer.
//
// A failed PutObject keeps the buffer and retries with backoff; reading pauses
// while buffers are full, so an unreachable destination holds data in the
// source (spool or Kinesis shards), never in memory without bound, and never
// loses it.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <thread>

#include "base/mutex.h"
#include "firehose/delivery_stream.h"
#include "firehose/engine/engine.h"
#include "firehose/engine/formatter.h"
#include "firehose/engine/positions.h"
#include "firehose/engine/source.h"

namespace sluice::firehose::engine {

class Pipeline {
 public:
  Pipeline(std::shared_ptr<DeliveryStream> stream, const EngineOptions& options);
  ~Pipeline();  // Stop()

  void Start();
  void Stop();
  void Wake();
  void ConfigChanged();

  // Source records taken into the buffers so far (the pipeline thread adds
  // them after buffering them). Lets tests wait for the pipeline to have
  // read something instead of sleeping.
  uint64_t records_read() const { return records_read_.load(std::memory_order_acquire); }

 private:
  struct Buffer {
    PartitionValues partition;
    bool error_output = false;
    std::string error_type;  // for error outputs
    std::string payload;
    size_t records = 0;
    int64_t oldest_arrival_ms = 0;
    int64_t opened_ms = 0;
    int64_t retry_at_ms = 0;
    int64_t retry_delay_ms = 0;
    std::map<uint32_t, uint64_t> min_offset;  // per source partition
  };

  void Run();
  Status Setup();
  Status ReadOnce(bool* got_records);
  void Add(const std::string& buffer_key, Buffer proto, std::string bytes, const SourceRecord& from);
  bool Due(const Buffer& b, int64_t now) const;
  Status Deliver(Buffer& b, int64_t now);
  Status CommitPositions();
  int64_t NextWakeMs(int64_t now) const;
  size_t BufferedBytes() const;

  std::shared_ptr<DeliveryStream> stream_;
  const EngineOptions& options_;

  Mutex mu_;
  CondVar cv_;
  bool stop_ GUARDED_BY(mu_) = false;
  bool wake_ GUARDED_BY(mu_) = false;
  bool config_changed_ GUARDED_BY(mu_) = true;
  std::thread thread_;

  // Owned by the pipeline thread.
  DeliveryStreamConfig config_;
  std::unique_ptr<Formatter> formatter_;
  std::unique_ptr<Source> source_;
  std::unique_ptr<Positions> positions_;
  std::map<uint32_t, uint64_t> read_pos_;
  std::atomic<uint64_t> records_read_{0};
  std::map<std::string, Buffer> buffers_;
  int64_t next_read_ms_ = 0;
};

}  // namespace sluice::firehose::engine
