// ResourceDirectory: where a service keeps its named resources on disk
// (Kinesis streams, Firehose delivery streams, and the services to come),
// as `<data_dir>/<service>/<region>/<name>/` with one metadata file each.
//
// Names and regions come from requests, so they never become paths as they
// are: each is mapped by OnDiskName() to a component that cannot traverse
// ("." and ".." are valid AWS names) and cannot collide with another name
// (docs/format/resource-names.md). A resource is created in a staging
// directory and published by one rename, so a failed creation leaves
// nothing behind; every removal is confined to the service's tree and never
// follows a symlink (io/dir_tree.h).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "base/status.h"

namespace sluice::storage {

// The on-disk component for a resource name or region. Injective, never
// empty, "." or "..", no '/', at most 255 bytes; the identity for names that
// do not start with '.' and use only [A-Za-z0-9_.-] (so existing data
// directories keep their layout). Others are escaped: a leading '.' and any
// byte outside that set become %XX; an escaped form over 255 bytes becomes
// its first 180 bytes, "%%" and the SHA-256 of the name in hex.
std::string OnDiskName(std::string_view name);

// What recovery needs to know of a resource from its metadata.
struct ResourceIdentity {
  std::string region;
  std::string name;
  // Its deletion was acknowledged (a DELETING state was persisted).
  bool deleting = false;
};

class ResourceDirectory {
 public:
  // Resources live under `data_dir / service`; `metadata_file` (e.g.
  // "stream.json") marks a published resource.
  ResourceDirectory(std::filesystem::path data_dir, std::string service, std::string metadata_file);

  // The service's tree, `data_dir / service`, created durably.
  Status CreateRoot() const;

  // Where the resource `name` of `region` lives once published.
  std::filesystem::path PathOf(std::string_view region, std::string_view name) const;
  // The region's directory (for region-wide files such as account settings).
  std::filesystem::path RegionPath(std::string_view region) const;

  // A new, empty staging directory in the region's directory, named so that
  // no resource can have its name (".new-<random>").
  Result<std::filesystem::path> Stage(std::string_view region) const;
  // Publishes `staging` as the resource: a leftover directory of the same
  // name (a removal that failed) is removed first, then one rename and a
  // directory sync. On failure the caller still owns `staging`.
  Status Publish(const std::filesystem::path& staging, std::string_view region, std::string_view name) const;
  // Removes a directory this object handed out (PathOf or Stage), confined
  // to the service's tree.
  Status Remove(const std::filesystem::path& dir) const;

  // Creates the resource `region`/`name` so that a failure or a crash
  // leaves nothing a restart would load: a staging directory (Stage) that
  // `fill` makes complete (the metadata file and whatever else belongs in
  // it), then Publish. On failure the staging directory is removed. Returns
  // the resource's directory.
  Result<std::filesystem::path> Create(std::string_view region, std::string_view name,
                                       const std::function<Status(const std::filesystem::path& staging)>& fill) const;

  // Walks every region's directory at start-up: staging leftovers and
  // directories without a metadata file (creations that never finished) are
  // removed; symlinks and stray files are left alone with a warning; for
  // each published resource `load(dir, metadata_text)` runs. Use Matches()
  // in `load` to refuse metadata that does not belong where it was found.
  Status Recover(
      const std::function<Status(const std::filesystem::path& dir, const std::string& metadata)>& load) const;
  // True when `dir` is where the resource `region`/`name` belongs.
  bool Matches(const std::filesystem::path& dir, std::string_view region, std::string_view name) const;

  // Recover() for a service whose metadata parses into a `Meta`: metadata
  // that does not parse fails it (Corruption naming the directory); metadata
  // naming a resource that belongs elsewhere is ignored with a warning; a
  // resource whose deletion was acknowledged but not finished is removed
  // (the deletion finishes); every other one goes to `load`.
  template <typename Meta>
  Status RecoverEach(const std::function<Result<Meta>(std::string_view metadata)>& parse,
                     const std::function<ResourceIdentity(const Meta&)>& identify,
                     const std::function<Status(const std::filesystem::path& dir, Meta meta)>& load) const {
    return Recover([&](const std::filesystem::path& dir, const std::string& text) -> Status {
      Result<Meta> meta = parse(text);
      if (!meta.ok()) return Status::Corruption(dir.string() + ": " + meta.status().message());
      ResourceIdentity id = identify(*meta);
      if (!Matches(dir, id.region, id.name)) {
        WarnMisplaced(dir, id);
        return Status::Ok();
      }
      if (id.deleting) return Remove(dir);
      return load(dir, std::move(meta).value());
    });
  }

 private:
  Result<std::filesystem::path> Relative(const std::filesystem::path& dir) const;
  void WarnMisplaced(const std::filesystem::path& dir, const ResourceIdentity& id) const;

  std::filesystem::path data_dir_;
  std::string service_;
  std::filesystem::path root_;
  std::string metadata_file_;
};

}  // namespace sluice::storage
