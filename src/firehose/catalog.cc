#include "firehose/catalog.h"

#include <algorithm>
#include <iostream>
#include <thread>

#include "base/mutex.h"
#include "io/file_util.h"
#include "storage/resource_dir.h"

namespace sluice::firehose {

namespace fs = std::filesystem;

namespace {
// AWS's default quota of delivery streams per account and region.
constexpr size_t kMaxDeliveryStreamsPerRegion = 5000;
}  // namespace

// Lock order: notify_mu -> DeliveryStream::mu -> mu. Listener calls run with
// only notify_mu held (it orders OnActive/OnUpdated/OnDeleting of a stream so
// that the engine never sees OnActive after OnDeleting); OnRecords runs with
// no catalog lock at all.
class DeliveryCatalog::Impl {
 public:
  explicit Impl(DeliveryCatalog* owner) : owner_(owner), dirs_(owner->options_.data_dir, "firehose", "config.json") {}
  ~Impl() { StopThread(); }

  const DeliveryCatalogOptions& opts() const { return owner_->options_; }
  int64_t Now() const { return opts().clock->NowMillis(); }

  Status Open();
  void StopThread();
  Status Load(const fs::path& dir, DeliveryStreamConfig config);

  std::shared_ptr<DeliveryStream> Find(const std::string& region, const std::string& name) const {
    ReaderLock lk(mu_);
    auto r = regions_.find(region);
    if (r == regions_.end()) return nullptr;
    auto s = r->second.find(name);
    return s == r->second.end() ? nullptr : s->second;
  }
  std::vector<std::shared_ptr<DeliveryStream>> List(const std::string& region) const {
    ReaderLock lk(mu_);
    std::vector<std::shared_ptr<DeliveryStream>> out;
    auto r = regions_.find(region);
    if (r == regions_.end()) return out;
    for (const auto& [_, s] : r->second) out.push_back(s);
    return out;
  }
  std::vector<std::shared_ptr<DeliveryStream>> All() const {
    ReaderLock lk(mu_);
    std::vector<std::shared_ptr<DeliveryStream>> out;
    for (const auto& [_, streams] : regions_)
      for (const auto& [__, s] : streams) out.push_back(s);
    return out;
  }

  Result<std::shared_ptr<DeliveryStream>> Create(DeliveryStreamConfig config);
  Status Delete(const std::shared_ptr<DeliveryStream>& stream);
  void Remove(const std::shared_ptr<DeliveryStream>& stream);
  // Finishes due transitions; returns the streams that became ACTIVE.
  std::vector<std::shared_ptr<DeliveryStream>> FinishTransitions();
  void Loop();

  void NotifyActive(const std::shared_ptr<DeliveryStream>& s);
  void NotifyUpdated(const std::shared_ptr<DeliveryStream>& s);
  void NotifyDeleting(const std::shared_ptr<DeliveryStream>& s);
  void NotifyRecords(const std::shared_ptr<DeliveryStream>& s) {
    if (listener_) listener_->OnRecords(s);
  }

  DeliveryCatalog* owner_;
  storage::ResourceDirectory dirs_;
  DeliveryListener* listener_ = nullptr;
  storage::GroupCommitter committer_;

  mutable SharedMutex mu_;
  std::map<std::string, std::map<std::string, std::shared_ptr<DeliveryStream>>> regions_ GUARDED_BY(mu_);
  Mutex create_mu_;
  Mutex notify_mu_;

  Mutex bg_mu_;
  CondVar bg_cv_;
  bool stopping_ GUARDED_BY(bg_mu_) = false;
  std::thread bg_thread_;
};

Status DeliveryCatalog::Impl::Open() {
  SLUICE_RETURN_IF_ERROR(dirs_.CreateRoot());
  SLUICE_RETURN_IF_ERROR(dirs_.RecoverEach<DeliveryStreamConfig>(
      ParseConfig,
      [](const DeliveryStreamConfig& c) {
        return storage::ResourceIdentity{c.region, c.name, c.status == DeliveryStreamStatus::kDeleting};
      },
      [this](const fs::path& dir, DeliveryStreamConfig config) { return Load(dir, std::move(config)); }));
  FinishTransitions();  // every ACTIVE stream is announced below, once
  for (const auto& s : All()) NotifyActive(s);
  {
    MutexLock lk(bg_mu_);
    stopping_ = false;
  }
  if (opts().background_transitions) bg_thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

Status DeliveryCatalog::Impl::Load(const fs::path& dir, DeliveryStreamConfig config) {
  const std::string region = config.region, name = config.name;
  const bool direct_put = config.type == DeliveryStreamType::kDirectPut;
  auto stream = std::make_shared<DeliveryStream>(std::move(config), dir, opts().spool_options.fs);
  if (direct_put) {
    auto spool = storage::ShardLog::Open(dir / "spool", opts().spool_options);
    if (!spool.ok()) return spool.status();
    stream->set_spool(std::move(spool).value());
  }
  WriterLock lk(mu_);
  regions_[region][name] = std::move(stream);
  return Status::Ok();
}

void DeliveryCatalog::Impl::StopThread() {
  {
    MutexLock lk(bg_mu_);
    stopping_ = true;
  }
  bg_cv_.NotifyAll();
  if (bg_thread_.joinable()) bg_thread_.join();
}

Result<std::shared_ptr<DeliveryStream>> DeliveryCatalog::Impl::Create(DeliveryStreamConfig config) {
  MutexLock create_lock(create_mu_);
  if (Find(config.region, config.name))
    return Status::AlreadyExists("Firehose " + config.name + " under accountId " + config.account + " already exists.");
  if (List(config.region).size() >= kMaxDeliveryStreamsPerRegion)
    return Status::ResourceExhausted("You have already consumed your firehose quota of " +
                                     std::to_string(kMaxDeliveryStreamsPerRegion) +
                                     " hoses. Firehose names: " + config.name);
  int64_t now = Now();
  config.created_ms = now;
  config.updated_ms = now;
  if (opts().transition_ms <= 0) {
    config.status = DeliveryStreamStatus::kActive;
    config.status_due_ms = now;
  } else {
    config.status = DeliveryStreamStatus::kCreating;
    config.status_due_ms = now + opts().transition_ms;
  }
  // Made complete in a staging directory, then published by one rename:
  // a creation that fails (or crashes) leaves nothing a restart would load.
  auto made = dirs_.Create(config.region, config.name, [&](const fs::path& staging) {
    DeliveryStream staged(config, staging, opts().spool_options.fs);
    MutexLock staged_lock(staged.mu);  // never shared: for the analysis only
    return staged.PersistLocked();
  });
  if (!made.ok()) return made.status();
  const fs::path& dir = *made;
  const std::string region = config.region, name = config.name;
  auto stream = std::make_shared<DeliveryStream>(std::move(config), dir, opts().spool_options.fs);
  {
    MutexLock lk(stream->mu);
    if (stream->config().type == DeliveryStreamType::kDirectPut) {
      auto spool = storage::ShardLog::Open(dir / "spool", opts().spool_options);
      if (!spool.ok()) {
        dirs_.Remove(dir).IgnoreError();  // the open's error is the one to report
        return spool.status();
      }
      stream->set_spool(std::move(spool).value());
    }
  }
  {
    WriterLock lk(mu_);
    regions_[region][name] = stream;
  }
  if (opts().transition_ms <= 0) {
    NotifyActive(stream);
  } else {
    bg_cv_.NotifyAll();
  }
  return stream;
}

Status DeliveryCatalog::Impl::Delete(const std::shared_ptr<DeliveryStream>& stream) {
  {
    MutexLock lk(stream->mu);
    auto& c = stream->config();
    if (c.status == DeliveryStreamStatus::kDeleting) return Status::Ok();
    DeliveryStreamConfig before = c;
    c.status = DeliveryStreamStatus::kDeleting;
    c.status_due_ms = Now() + std::max<int64_t>(opts().transition_ms, 0);
    if (Status st = stream->PersistLocked(); !st.ok()) {
      c = std::move(before);
      return st;
    }
  }
  NotifyDeleting(stream);
  if (opts().transition_ms <= 0) {
    Remove(stream);
  } else {
    bg_cv_.NotifyAll();
  }
  return Status::Ok();
}

void DeliveryCatalog::Impl::Remove(const std::shared_ptr<DeliveryStream>& stream) {
  std::string region, name;
  {
    MutexLock lk(stream->mu);
    region = stream->config().region;
    name = stream->config().name;
  }
  {
    WriterLock lk(mu_);
    auto r = regions_.find(region);
    if (r == regions_.end()) return;
    auto it = r->second.find(name);
    if (it == r->second.end() || it->second != stream) return;
    r->second.erase(it);
  }
  // The spool object stays valid for requests still holding the stream; the
  // files go.
  Status st = dirs_.Remove(stream->dir());
  if (!st.ok()) std::cerr << "sluice: removing deleted delivery stream: " << st.ToString() << "\n";
}

std::vector<std::shared_ptr<DeliveryStream>> DeliveryCatalog::Impl::FinishTransitions() {
  int64_t now = Now();
  std::vector<std::shared_ptr<DeliveryStream>> activated, to_remove;
  for (const auto& s : All()) {
    MutexLock lk(s->mu);
    auto& c = s->config();
    if (c.status == DeliveryStreamStatus::kActive || c.status_due_ms > now) continue;
    if (c.status == DeliveryStreamStatus::kDeleting) {
      to_remove.push_back(s);
      continue;
    }
    c.status = DeliveryStreamStatus::kActive;
    Status st = s->PersistLocked();
    if (!st.ok()) std::cerr << "sluice: persisting delivery stream state: " << st.ToString() << "\n";
    activated.push_back(s);
  }
  for (const auto& s : to_remove) Remove(s);
  return activated;
}

void DeliveryCatalog::Impl::Loop() {
  MutexLock lk(bg_mu_);
  while (!stopping_) {
    int64_t now = Now();
    int64_t wake = now + 1000;
    bool pending = false;
    for (const auto& s : All()) {
      MutexLock slk(s->mu);
      if (s->config().status != DeliveryStreamStatus::kActive) {
        pending = true;
        wake = std::min(wake, s->config().status_due_ms);
      }
    }
    if (wake > now) {
      // While a transition is pending, at most 100 ms: a manual clock moved
      // by a test is noticed soon. Create/Delete notify the condition.
      bg_cv_.WaitFor(bg_mu_, std::chrono::milliseconds(std::min<int64_t>(wake - now, pending ? 100 : 1000)));
      if (stopping_) break;
    }
    lk.Unlock();
    for (const auto& s : FinishTransitions()) NotifyActive(s);
    lk.Lock();
  }
}

void DeliveryCatalog::Impl::NotifyActive(const std::shared_ptr<DeliveryStream>& s) {
  MutexLock nlk(notify_mu_);
  if (!listener_) return;
  {
    MutexLock lk(s->mu);
    if (s->config().status != DeliveryStreamStatus::kActive) return;  // deleted meanwhile
  }
  listener_->OnActive(s);
}

void DeliveryCatalog::Impl::NotifyUpdated(const std::shared_ptr<DeliveryStream>& s) {
  MutexLock nlk(notify_mu_);
  if (!listener_) return;
  {
    MutexLock lk(s->mu);
    if (s->config().status != DeliveryStreamStatus::kActive) return;
  }
  listener_->OnUpdated(s);
}

void DeliveryCatalog::Impl::NotifyDeleting(const std::shared_ptr<DeliveryStream>& s) {
  MutexLock nlk(notify_mu_);
  if (listener_) listener_->OnDeleting(s);
}

// ---------------------------------------------------------------------------

DeliveryCatalog::DeliveryCatalog(DeliveryCatalogOptions options, kinesis::StreamCatalog* kinesis)
    : options_(std::move(options)), kinesis_(kinesis) {
  if (!options_.clock) options_.clock = &Clock::Real();
  impl_ = std::make_unique<Impl>(this);
}

DeliveryCatalog::~DeliveryCatalog() { Stop(); }

void DeliveryCatalog::FinishDueTransitions() {
  for (const auto& s : impl_->FinishTransitions()) impl_->NotifyActive(s);
}

void DeliveryCatalog::SetListener(DeliveryListener* listener) { impl_->listener_ = listener; }

Status DeliveryCatalog::Open() { return impl_->Open(); }

void DeliveryCatalog::Stop() {
  impl_->StopThread();
  impl_->committer_.Stop();
}

std::shared_ptr<DeliveryStream> DeliveryCatalog::Find(const std::string& region, const std::string& name) const {
  return impl_->Find(region, name);
}

std::vector<std::shared_ptr<DeliveryStream>> DeliveryCatalog::List(const std::string& region) const {
  return impl_->List(region);
}

std::vector<std::shared_ptr<DeliveryStream>> DeliveryCatalog::All() const { return impl_->All(); }

storage::GroupCommitter& DeliveryCatalog::committer() { return impl_->committer_; }

Result<std::shared_ptr<DeliveryStream>> DeliveryCatalog::Create(DeliveryStreamConfig config) {
  return impl_->Create(std::move(config));
}

Status DeliveryCatalog::Delete(const std::shared_ptr<DeliveryStream>& stream) { return impl_->Delete(stream); }

void DeliveryCatalog::NotifyUpdated(const std::shared_ptr<DeliveryStream>& stream) { impl_->NotifyUpdated(stream); }

void DeliveryCatalog::NotifyRecords(const std::shared_ptr<DeliveryStream>& stream) { impl_->NotifyRecords(stream); }

}  // namespace sluice::firehose
