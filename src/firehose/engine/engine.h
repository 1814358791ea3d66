// DeliveryEngine: runs one delivery pipeline per ACTIVE delivery stream. It is
// the catalog's DeliveryListener: pipelines start when a stream becomes
// ACTIVE, pick up UpdateDestination changes for their next objects, stop when
// the stream is deleted, and wake when a DirectPut spool has new records.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/mutex.h"
#include "firehose/delivery_stream.h"
#include "objstore/object_store.h"

namespace sluice::kinesis {
class StreamCatalog;
}

namespace sluice::firehose::engine {

class Pipeline;

struct EngineOptions {
  // Where objects go: the embedded store, or an external S3 endpoint.
  std::shared_ptr<objstore::ObjectStore> store;
  kinesis::StreamCatalog* kinesis = nullptr;
  // How often a Kinesis source is polled (AWS: once per second per shard).
  int64_t source_poll_ms = 1000;
  // Multiplies every BufferingHints interval: 1 = as configured; tests use
  // e.g. 0.01 to turn 300 s into 3 s.
  double interval_scale = 1.0;
  // Delivery retries back off from this up to retry_max_ms, forever: data
  // stays in the source until the destination takes it.
  int64_t retry_min_ms = 200;
  int64_t retry_max_ms = 30'000;
  const Clock* clock = &Clock::Real();
};

class DeliveryEngine final : public DeliveryListener {
 public:
  explicit DeliveryEngine(EngineOptions options);
  ~DeliveryEngine() override;  // Stop()

  // Stops every pipeline (buffers not yet delivered are simply re-read from
  // their sources on the next start). Idempotent.
  void Stop();

  void OnActive(const std::shared_ptr<DeliveryStream>& stream) override;
  void OnUpdated(const std::shared_ptr<DeliveryStream>& stream) override;
  void OnDeleting(const std::shared_ptr<DeliveryStream>& stream) override;
  void OnRecords(const std::shared_ptr<DeliveryStream>& stream) override;

  const EngineOptions& options() const { return options_; }

 private:
  std::shared_ptr<Pipeline> Get(const std::shared_ptr<DeliveryStream>& stream);

  EngineOptions options_;
  Mutex mu_;
  std::map<const DeliveryStream*, std::shared_ptr<Pipeline>> pipelines_ GUARDED_BY(mu_);
  bool stopped_ GUARDED_BY(mu_) = false;
};

}  // namespace sluice::firehose::engine
