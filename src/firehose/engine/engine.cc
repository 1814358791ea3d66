#include "firehose/engine/engine.h"

#include "firehose/engine/pipeline.h"

namespace sluice::firehose::engine {

DeliveryEngine::DeliveryEngine(EngineOptions options) : options_(std::move(options)) {}

DeliveryEngine::~DeliveryEngine() { Stop(); }

void DeliveryEngine::Stop() {
  std::map<const DeliveryStream*, std::shared_ptr<Pipeline>> all;
  {
    MutexLock lk(mu_);
    stopped_ = true;
    all.swap(pipelines_);
  }
  for (auto& [_, p] : all) p->Stop();
}

std::shared_ptr<Pipeline> DeliveryEngine::Get(const std::shared_ptr<DeliveryStream>& stream) {
  MutexLock lk(mu_);
  auto it = pipelines_.find(stream.get());
  return it == pipelines_.end() ? nullptr : it->second;
}

void DeliveryEngine::OnActive(const std::shared_ptr<DeliveryStream>& stream) {
  std::shared_ptr<Pipeline> p;
  {
    MutexLock lk(mu_);
    if (stopped_ || pipelines_.count(stream.get())) return;
    p = std::make_shared<Pipeline>(stream, options_);
    pipelines_[stream.get()] = p;
  }
  p->Start();
}

void DeliveryEngine::OnUpdated(const std::shared_ptr<DeliveryStream>& stream) {
  if (auto p = Get(stream)) p->ConfigChanged();
}

void DeliveryEngine::OnDeleting(const std::shared_ptr<DeliveryStream>& stream) {
  std::shared_ptr<Pipeline> p;
  {
    MutexLock lk(mu_);
    auto it = pipelines_.find(stream.get());
    if (it == pipelines_.end()) return;
    p = it->second;
    pipelines_.erase(it);
  }
  p->Stop();
}

void DeliveryEngine::OnRecords(const std::shared_ptr<DeliveryStream>& stream) {
  if (auto p = Get(stream)) p->Wake();
}

}  // namespace sluice::firehose::engine
