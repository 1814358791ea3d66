#include "storage/resource_dir.h"

#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <sys/stat.h>

#include <iostream>

#include "io/dir_tree.h"
#include "io/file_util.h"

namespace sluice::storage {

namespace fs = std::filesystem;

namespace {
constexpr std::string_view kStagingPrefix = ".new-";
constexpr size_t kMaxComponent = 255;
constexpr size_t kHashedPrefix = 180;
constexpr char kHex[] = "0123456789ABCDEF";

bool IsPlainNameByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

std::string RandomHex(size_t bytes) {
  unsigned char raw[32];
  RAND_bytes(raw, static_cast<int>(bytes));
  std::string out;
  for (size_t i = 0; i < bytes; ++i) {
    out.push_back(kHex[raw[i] >> 4]);
    out.push_back(kHex[raw[i] & 15]);
  }
  return out;
}
}  // namespace

std::string OnDiskName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (size_t i = 0; i < name.size(); ++i) {
    auto c = static_cast<unsigned char>(name[i]);
    if (IsPlainNameByte(c) && !(i == 0 && c == '.')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  if (name.empty()) out = "%";  // no escaped form is a lone '%'
  if (out.size() <= kMaxComponent) return out;
  // Too long for one component: a prefix (never cut inside a %XX) and the
  // name's hash. "%%" cannot occur in an escaped form, so the two kinds of
  // names never meet.
  size_t cut = kHashedPrefix;
  if (out[cut - 1] == '%') cut -= 1;
  else if (out[cut - 2] == '%') cut -= 2;
  out.resize(cut);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(name.data()), name.size(), digest);
  out += "%%";
  for (unsigned char b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

ResourceDirectory::ResourceDirectory(fs::path data_dir, std::string service, std::string metadata_file)
    : data_dir_(std::move(data_dir)),
      service_(std::move(service)),
      root_(data_dir_ / service_),
      metadata_file_(std::move(metadata_file)) {}

Status ResourceDirectory::CreateRoot() const {
  SLUICE_RETURN_IF_ERROR(io::CreateDirectoriesDurably(data_dir_));
  return io::CreateDirectoriesBeneath(data_dir_, service_);
}

fs::path ResourceDirectory::RegionPath(std::string_view region) const { return root_ / OnDiskName(region); }

fs::path ResourceDirectory::PathOf(std::string_view region, std::string_view name) const {
  return RegionPath(region) / OnDiskName(name);
}

Result<fs::path> ResourceDirectory::Stage(std::string_view region) const {
  fs::path region_dir = RegionPath(region);
  SLUICE_RETURN_IF_ERROR(io::CreateDirectoriesBeneath(data_dir_, fs::path(service_) / OnDiskName(region)));
  fs::path staging = region_dir / (std::string(kStagingPrefix) + RandomHex(8));
  if (::mkdir(staging.c_str(), 0700) != 0) return io::ErrnoStatus("mkdir", staging);
  return staging;
}

Status ResourceDirectory::Publish(const fs::path& staging, std::string_view region, std::string_view name) const {
  fs::path final_dir = PathOf(region, name);
  SLUICE_RETURN_IF_ERROR(Remove(final_dir));  // a leftover must not leak old data into the new resource
  if (::rename(staging.c_str(), final_dir.c_str()) != 0) return io::ErrnoStatus("rename", staging);
  return io::SyncDirectory(final_dir.parent_path());
}

Result<fs::path> ResourceDirectory::Create(std::string_view region, std::string_view name,
                                           const std::function<Status(const fs::path& staging)>& fill) const {
  auto staging = Stage(region);
  if (!staging.ok()) return staging.status();
  Status made = fill(*staging);
  if (made.ok()) made = Publish(*staging, region, name);
  if (!made.ok()) {
    (void)Remove(*staging);
    return made;
  }
  return PathOf(region, name);
}

void ResourceDirectory::WarnMisplaced(const fs::path& dir, const ResourceIdentity& id) const {
  std::cerr << "sluice: ignoring " << dir << ": its " << metadata_file_ << " names " << id.name << " of region "
            << id.region << ", which belongs elsewhere\n";
}

Result<fs::path> ResourceDirectory::Relative(const fs::path& dir) const {
  fs::path rel = dir.lexically_normal().lexically_relative(data_dir_.lexically_normal());
  auto it = rel.begin();
  if (rel.empty() || it == rel.end() || it->string() != service_)
    return Status::InvalidArgument("refusing to remove " + dir.string() + ": outside " + root_.string());
  for (const auto& part : rel)
    if (!io::IsPlainComponent(part.string()))
      return Status::InvalidArgument("refusing to remove " + dir.string() + ": not a plain path");
  if (std::distance(rel.begin(), rel.end()) != 3)
    return Status::InvalidArgument("refusing to remove " + dir.string() + ": not a resource directory");
  return rel;
}

Status ResourceDirectory::Remove(const fs::path& dir) const {
  SLUICE_ASSIGN_OR_RETURN(auto rel, Relative(dir));
  return io::RemoveTreeBeneath(data_dir_, rel);
}

bool ResourceDirectory::Matches(const fs::path& dir, std::string_view region, std::string_view name) const {
  return dir.lexically_normal() == PathOf(region, name).lexically_normal();
}

Status ResourceDirectory::Recover(const std::function<Status(const fs::path&, const std::string&)>& load) const {
  auto regions = io::ListBeneath(data_dir_, service_);
  if (!regions.ok()) return regions.status();
  for (const auto& region : *regions) {
    if (region.kind != io::DirEntry::Kind::kDirectory) {
      if (region.kind == io::DirEntry::Kind::kSymlink)
        std::cerr << "sluice: ignoring symlink " << (root_ / region.name)
                  << " (nothing in the data directory is followed)\n";
      continue;
    }
    auto entries = io::ListBeneath(data_dir_, fs::path(service_) / region.name);
    if (!entries.ok()) return entries.status();
    for (const auto& e : *entries) {
      fs::path dir = root_ / region.name / e.name;
      if (e.kind != io::DirEntry::Kind::kDirectory) {
        if (e.kind == io::DirEntry::Kind::kSymlink)
          std::cerr << "sluice: ignoring symlink " << dir << " (nothing in the data directory is followed)\n";
        continue;
      }
      if (e.name.rfind(kStagingPrefix, 0) == 0) {  // a creation that never published
        SLUICE_RETURN_IF_ERROR(Remove(dir));
        continue;
      }
      auto text = io::ReadFile(dir / metadata_file_);
      if (!text.ok()) {
        // Written by a version that created in place: a creation that crashed
        // before its metadata, never acknowledged.
        if (text.status().code() == StatusCode::kNotFound) {
          SLUICE_RETURN_IF_ERROR(Remove(dir));
          continue;
        }
        return text.status();
      }
      SLUICE_RETURN_IF_ERROR(load(dir, *text));
    }
  }
  return Status::Ok();
}

}  // namespace sluice::storage
