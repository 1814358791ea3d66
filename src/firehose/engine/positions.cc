#include "firehose/engine/positions.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "io/file_util.h"

namespace sluice::firehose::engine {

Status Positions::Load() {
  next_.clear();
  auto text = io::ReadFile(*fs_, file_);
  if (!text.ok()) return text.status().code() == StatusCode::kNotFound ? Status::Ok() : text.status();
  rapidjson::Document d;
  d.Parse(text->data(), text->size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("next") || !d["next"].IsObject())
    return Status::Corruption(file_.string() + " is not a positions file");
  for (auto it = d["next"].MemberBegin(); it != d["next"].MemberEnd(); ++it) {
    if (!it->value.IsUint64()) return Status::Corruption(file_.string() + ": bad offset");
    next_[static_cast<uint32_t>(std::stoul(it->name.GetString()))] = it->value.GetUint64();
  }
  return Status::Ok();
}

Status Positions::Save() const {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("format_version");
  w.Int(1);
  w.Key("next");
  w.StartObject();
  for (const auto& [p, off] : next_) {
    std::string key = std::to_string(p);
    w.Key(key.c_str());
    w.Uint64(off);
  }
  w.EndObject();
  w.EndObject();
  return io::WriteFileAtomically(*fs_, file_, std::string(sb.GetString(), sb.GetSize()) + "\n");
}

uint64_t Positions::Get(uint32_t partition) const {
  auto it = next_.find(partition);
  return it == next_.end() ? 0 : it->second;
}

}  // namespace sluice::firehose::engine
