#include "kinesis/catalog.h"

#include <openssl/rand.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <iostream>
#include <optional>

#include "io/dir_tree.h"
#include "io/file_util.h"
#include "model/region.h"

namespace sluice::kinesis {

namespace fs = std::filesystem;

namespace {
constexpr const char* kAccountSettingsFile = "account-settings.json";

std::string SerializeAccountSettings(const AccountSettings& a) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("commitment");
  w.String(a.commitment);
  w.Key("started_ms");
  w.Int64(a.started_ms);
  w.Key("ended_ms");
  w.Int64(a.ended_ms);
  w.Key("earliest_end_ms");
  w.Int64(a.earliest_end_ms);
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize()) + "\n";
}

std::optional<AccountSettings> ParseAccountSettings(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.data(), text.size());
  if (d.HasParseError() || !d.IsObject()) return std::nullopt;
  AccountSettings a;
  auto i64 = [&](const char* k) {
    auto it = d.FindMember(k);
    return it != d.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : int64_t{0};
  };
  if (auto it = d.FindMember("commitment"); it != d.MemberEnd() && it->value.IsString())
    a.commitment = it->value.GetString();
  a.started_ms = i64("started_ms");
  a.ended_ms = i64("ended_ms");
  a.earliest_end_ms = i64("earliest_end_ms");
  return a;
}
// CREATING consumers become ACTIVE and DELETING ones go once due. True when
// something changed.
bool FinishConsumerTransitions(StreamMeta& m, int64_t now) {
  bool changed = false;
  for (auto it = m.consumers.begin(); it != m.consumers.end();) {
    if (it->status == ConsumerStatus::kActive || it->status_due_ms > now) {
      ++it;
      continue;
    }
    changed = true;
    if (it->status == ConsumerStatus::kDeleting) {
      m.resource_policies.erase(m.ConsumerArn(*it));
      it = m.consumers.erase(it);
    } else {
      it->status = ConsumerStatus::kActive;
      ++it;
    }
  }
  return changed;
}
int64_t CountShards(const std::vector<std::shared_ptr<Stream>>& streams) {
  int64_t n = 0;
  for (const auto& s : streams) {
    ReaderLock lk(s->mu);
    n += static_cast<int64_t>(s->meta().shards.size());
  }
  return n;
}
}  // namespace

StreamCatalog::StreamCatalog(CatalogOptions options)
    : options_(std::move(options)),
      dirs_(options_.data_dir, "kinesis", "stream.json"),
      committer_(options_.parallel_syncs),
      limiter_(options_.throughput),
      shard_budget_(options_.max_total_shards) {}

StreamCatalog::~StreamCatalog() { Stop(); }

void StreamCatalog::Stop() {
  {
    MutexLock lk(bg_mu_);
    stopping_ = true;
  }
  bg_cv_.NotifyAll();
  if (bg_thread_.joinable()) bg_thread_.join();
  committer_.Stop();
  subscriptions_.Stop();  // open subscriptions end
}

Status StreamCatalog::Open() {
  SLUICE_RETURN_IF_ERROR(dirs_.CreateRoot());

  fs::path key_file = options_.data_dir / "token.key";
  auto key = io::ReadFile(key_file);
  if (key.ok() && key->size() == 32) {
    token_key_ = *key;
  } else {
    token_key_.resize(32);
    RAND_bytes(reinterpret_cast<unsigned char*>(token_key_.data()), 32);
    SLUICE_RETURN_IF_ERROR(io::WriteFileAtomically(key_file, token_key_, 0600));
  }

  // Account settings: a valid region's directory name is the region itself.
  auto regions = io::ListBeneath(options_.data_dir, "kinesis");
  if (!regions.ok()) return regions.status();
  for (const auto& region : *regions) {
    if (region.kind != io::DirEntry::Kind::kDirectory || !model::IsValidRegion(region.name)) continue;
    fs::path file = dirs_.RegionPath(region.name) / kAccountSettingsFile;
    if (auto text = io::ReadFile(file); text.ok()) {
      auto settings = ParseAccountSettings(*text);
      if (!settings) return Status::Corruption(file.string() + " is not valid");
      MutexLock lk(settings_mu_);
      account_settings_[region.name] = *settings;
    }
  }
  SLUICE_RETURN_IF_ERROR(dirs_.RecoverEach<StreamMeta>(
      ParseStreamMeta,
      [](const StreamMeta& m) {
        return storage::ResourceIdentity{m.region, m.name, m.status == StreamStatus::kDeleting};
      },
      [this](const fs::path& dir, StreamMeta meta) { return LoadStream(dir, std::move(meta)); }));
  shard_budget_.Set(CountShards(AllStreams()));
  FinishTransitions();
  TrimRetention();
  bg_thread_ = std::thread([this] { BackgroundLoop(); });
  return Status::Ok();
}

Status StreamCatalog::LoadStream(const fs::path& dir, StreamMeta meta) {
  auto stream = std::make_shared<Stream>(std::move(meta), dir, options_.log_options.fs);
  std::string region, name;
  {
    WriterLock lk(stream->mu);
    SLUICE_RETURN_IF_ERROR(stream->OpenLogsLocked(options_.log_options));
    region = stream->meta().region;
    name = stream->meta().name;
  }
  WriterLock lk(mu_);
  regions_[region][name] = std::move(stream);
  return Status::Ok();
}

std::shared_ptr<Stream> StreamCatalog::Find(const std::string& region, const std::string& name) const {
  ReaderLock lk(mu_);
  auto r = regions_.find(region);
  if (r == regions_.end()) return nullptr;
  auto s = r->second.find(name);
  return s == r->second.end() ? nullptr : s->second;
}

std::vector<std::shared_ptr<Stream>> StreamCatalog::List(const std::string& region) const {
  ReaderLock lk(mu_);
  std::vector<std::shared_ptr<Stream>> out;
  auto r = regions_.find(region);
  if (r == regions_.end()) return out;
  for (const auto& [_, s] : r->second) out.push_back(s);
  return out;
}

std::vector<std::shared_ptr<Stream>> StreamCatalog::AllStreams() const {
  ReaderLock lk(mu_);
  std::vector<std::shared_ptr<Stream>> out;
  for (const auto& [_, streams] : regions_)
    for (const auto& [__, s] : streams) out.push_back(s);
  return out;
}

int StreamCatalog::OpenShardCount(const std::string& region) const {
  int n = 0;
  for (const auto& s : List(region)) {
    ReaderLock lk(s->mu);
    n += s->meta().OpenShardCount();
  }
  return n;
}

AccountSettings StreamCatalog::GetAccountSettings(const std::string& region) const {
  MutexLock lk(settings_mu_);
  auto it = account_settings_.find(region);
  AccountSettings a = it == account_settings_.end() ? AccountSettings{} : it->second;
  if (a.commitment == "ENABLED_UNTIL_EARLIEST_ALLOWED_END" && NowMillis() >= a.earliest_end_ms)
    a.commitment = "DISABLED";
  return a;
}

Status StreamCatalog::SetAccountSettings(const std::string& region, const AccountSettings& settings) {
  MutexLock lk(settings_mu_);
  fs::path dir = dirs_.RegionPath(region);
  SLUICE_RETURN_IF_ERROR(io::CreateDirectoriesDurably(dir));
  SLUICE_RETURN_IF_ERROR(io::WriteFileAtomically(dir / kAccountSettingsFile, SerializeAccountSettings(settings)));
  account_settings_[region] = settings;
  return Status::Ok();
}

int StreamCatalog::OnDemandStreamCount(const std::string& region) const {
  int n = 0;
  for (const auto& s : List(region)) {
    ReaderLock lk(s->mu);
    n += s->meta().mode == StreamMode::kOnDemand;
  }
  return n;
}

Result<std::shared_ptr<Stream>> StreamCatalog::Create(StreamMeta meta) {
  MutexLock create_lock(create_mu_);
  if (Find(meta.region, meta.name))
    return Status::AlreadyExists("Stream " + meta.name + " under account " + meta.account + " already exists.");
  int open = OpenShardCount(meta.region);
  int wanted = static_cast<int>(meta.shards.size());
  if (open + wanted > options_.shard_limit) {
    return Status::ResourceExhausted(
        "This request would exceed the shard limit for the account " + meta.account + " in " + meta.region +
        ". Current shard count for the account: " + std::to_string(open) +
        ". Limit: " + std::to_string(options_.shard_limit) +
        ". Number of additional shards that would have resulted from this request: " + std::to_string(wanted) +
        ". Refer to the AWS Service Limits page "
        "(https://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request "
        "higher limits.");
  }
  if (meta.mode == StreamMode::kOnDemand && OnDemandStreamCount(meta.region) >= options_.on_demand_stream_limit)
    return Status::ResourceExhausted("This request would exceed the on-demand stream limit of " +
                                     std::to_string(options_.on_demand_stream_limit) + " for the account " +
                                     meta.account + " in " + meta.region + ".");
  auto reservation = shard_budget_.Reserve(static_cast<int64_t>(meta.shards.size()));  // all regions
  if (!reservation.ok()) return reservation.status();

  int64_t now = NowMillis();
  meta.created_ms = now;
  for (auto& s : meta.shards) s.created_ms = now;
  if (options_.transition_ms <= 0) {
    meta.status = StreamStatus::kActive;
  } else {
    meta.status = StreamStatus::kCreating;
    meta.status_due_ms = now + options_.transition_ms;
  }
  // Made complete in a staging directory, then published by one rename:
  // a creation that fails (or crashes) leaves nothing a restart would load.
  auto made = dirs_.Create(meta.region, meta.name, [&](const fs::path& staging) {
    SLUICE_RETURN_IF_ERROR(io::CreateDirectoriesDurably(staging / "shards"));
    Stream staged(meta, staging, options_.log_options.fs);
    WriterLock staged_lock(staged.mu);  // never shared: for the analysis only
    return staged.PersistLocked();
  });
  if (!made.ok()) return made.status();
  const fs::path& dir = *made;
  const std::string region = meta.region, name = meta.name;
  const bool active = meta.status == StreamStatus::kActive;
  auto stream = std::make_shared<Stream>(std::move(meta), dir, options_.log_options.fs);
  {
    WriterLock lk(stream->mu);
    if (Status st = stream->OpenLogsLocked(options_.log_options); !st.ok()) {
      dirs_.Remove(dir).IgnoreError();  // the open's error is the one to report
      return st;
    }
  }
  {
    WriterLock lk(mu_);
    regions_[region][name] = stream;
  }
  if (!active) ScheduleTransition(stream);
  reservation->Keep();
  return stream;
}

Status StreamCatalog::Delete(const std::shared_ptr<Stream>& stream) {
  {
    WriterLock lk(stream->mu);
    stream->meta().status = StreamStatus::kDeleting;
    stream->meta().status_due_ms = NowMillis() + options_.transition_ms;
    SLUICE_RETURN_IF_ERROR(stream->PersistLocked());
  }
  if (options_.transition_ms <= 0) {
    Remove(stream);
    return Status::Ok();
  }
  ScheduleTransition(stream);
  return Status::Ok();
}

void StreamCatalog::ScheduleTransition(const std::shared_ptr<Stream>&) { bg_cv_.NotifyAll(); }

void StreamCatalog::Remove(const std::shared_ptr<Stream>& stream) {
  std::string region, name;
  size_t shards;
  {
    ReaderLock lk(stream->mu);
    region = stream->meta().region;
    name = stream->meta().name;
    shards = stream->meta().shards.size();
  }
  {
    WriterLock lk(mu_);
    auto r = regions_.find(region);
    if (r != regions_.end()) {
      auto it = r->second.find(name);
      if (it != r->second.end() && it->second == stream) {
        r->second.erase(it);
        shard_budget_.Release(static_cast<int64_t>(shards));
      }
    }
  }
  // Open logs stay valid for requests still holding the stream; the files go.
  Status st = dirs_.Remove(stream->dir());
  if (!st.ok()) std::cerr << "sluice: removing deleted stream: " << st.ToString() << "\n";
}

void StreamCatalog::FinishTransitions() {
  int64_t now = NowMillis();
  std::vector<std::shared_ptr<Stream>> to_remove;
  for (const auto& s : AllStreams()) {
    WriterLock lk(s->mu);
    auto& m = s->meta();
    if (FinishConsumerTransitions(m, now)) {
      Status st = s->PersistLocked();
      if (!st.ok()) std::cerr << "sluice: persisting consumer state: " << st.ToString() << "\n";
    }
    if (m.status == StreamStatus::kActive || m.status_due_ms > now) continue;
    if (m.status == StreamStatus::kDeleting) {
      to_remove.push_back(s);
      continue;
    }
    m.status = StreamStatus::kActive;
    Status st = s->PersistLocked();
    if (!st.ok()) std::cerr << "sluice: persisting stream state: " << st.ToString() << "\n";
  }
  for (const auto& s : to_remove) Remove(s);
}

void StreamCatalog::TrimRetention() {
  int64_t now = NowMillis();
  for (const auto& s : AllStreams()) {
    ReaderLock lk(s->mu);
    int64_t cutoff = RetentionCutoff(s->meta(), now);
    for (const auto& shard : s->meta().shards) {
      if (auto* log = s->log(shard.index)) {
        Status st = log->TrimBefore(cutoff);
        if (!st.ok()) std::cerr << "sluice: retention trim: " << st.ToString() << "\n";
      }
    }
  }
}

void StreamCatalog::BackgroundLoop() {
  int64_t next_trim = NowMillis() + options_.retention_check_ms;
  MutexLock lk(bg_mu_);
  while (!stopping_) {
    // Wake at the earliest pending transition, the next trim, or a notify.
    int64_t now = NowMillis();
    int64_t wake = next_trim;
    {
      ReaderLock slk(mu_);
      for (const auto& [_, streams] : regions_)
        for (const auto& [__, s] : streams) {
          ReaderLock ss(s->mu);
          if (s->meta().status != StreamStatus::kActive) wake = std::min(wake, s->meta().status_due_ms);
          for (const auto& c : s->meta().consumers)
            if (c.status != ConsumerStatus::kActive) wake = std::min(wake, c.status_due_ms);
        }
    }
    if (wake > now) {
      bg_cv_.WaitFor(bg_mu_, std::chrono::milliseconds(std::min<int64_t>(wake - now, 1000)));
      if (stopping_) break;
    }
    lk.Unlock();
    FinishTransitions();
    if (NowMillis() >= next_trim) {
      TrimRetention();
      next_trim = NowMillis() + options_.retention_check_ms;
    }
    lk.Lock();
  }
}

}  // namespace sluice::kinesis
