#include "codec/kpl_aggregation.h"

#include <openssl/evp.h>

#include <cstdint>
#include <unordered_map>

namespace sluice::codec {

namespace {

constexpr size_t kMd5Size = 16;

std::string Md5(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), digest, &n, EVP_md5(), nullptr);
  return std::string(reinterpret_cast<char*>(digest), n);
}

// A bounded reader of protobuf wire format.
class Wire {
 public:
  explicit Wire(std::string_view b) : b_(b) {}
  bool done() const { return at_ >= b_.size(); }

  bool Varint(uint64_t* v) {
    uint64_t r = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at_ >= b_.size()) return false;
      uint8_t byte = static_cast<uint8_t>(b_[at_++]);
      if (shift == 63 && byte > 1) return false;  // overflows 64 bits
      r |= uint64_t{byte & 0x7Fu} << shift;
      if ((byte & 0x80) == 0) {
        *v = r;
        return true;
      }
    }
    return false;
  }
  bool Bytes(std::string_view* out) {
    uint64_t n = 0;
    if (!Varint(&n) || n > b_.size() - at_) return false;
    *out = b_.substr(at_, n);
    at_ += n;
    return true;
  }
  bool Skip(uint32_t wire_type) {
    uint64_t ignored = 0;
    std::string_view ignored_bytes;
    switch (wire_type) {
      case 0: return Varint(&ignored);
      case 1: return Advance(8);
      case 2: return Bytes(&ignored_bytes);
      case 5: return Advance(4);
      default: return false;  // groups (3, 4) are not used by this format
    }
  }

 private:
  bool Advance(size_t n) {
    if (n > b_.size() - at_) return false;
    at_ += n;
    return true;
  }
  std::string_view b_;
  size_t at_ = 0;
};

struct RawRecord {
  uint64_t pk_index = 0;
  std::optional<uint64_t> ehk_index;
  std::string_view data;
  bool has_pk = false, has_data = false;
};

bool ParseRecord(std::string_view bytes, RawRecord* r) {
  Wire w(bytes);
  while (!w.done()) {
    uint64_t tag = 0;
    if (!w.Varint(&tag)) return false;
    uint32_t field = static_cast<uint32_t>(tag >> 3), type = static_cast<uint32_t>(tag & 7);
    if (field == 1 && type == 0) {
      if (!w.Varint(&r->pk_index)) return false;
      r->has_pk = true;
    } else if (field == 2 && type == 0) {
      uint64_t v = 0;
      if (!w.Varint(&v)) return false;
      r->ehk_index = v;
    } else if (field == 3 && type == 2) {
      if (!w.Bytes(&r->data)) return false;
      r->has_data = true;
    } else if (field == 0 || !w.Skip(type)) {  // tags (4) and unknown fields are skipped
      return false;
    }
  }
  return true;
}

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutBytesField(std::string* out, uint32_t field, std::string_view bytes) {
  PutVarint(out, (uint64_t{field} << 3) | 2);
  PutVarint(out, bytes.size());
  out->append(bytes);
}

}  // namespace

bool LooksAggregated(std::string_view record) {
  return record.size() >= kKplMagic.size() + kMd5Size && record.substr(0, kKplMagic.size()) == kKplMagic;
}

Result<std::optional<std::vector<UserRecord>>> Deaggregate(std::string_view record) {
  if (!LooksAggregated(record)) return std::optional<std::vector<UserRecord>>();
  std::string_view proto = record.substr(kKplMagic.size(), record.size() - kKplMagic.size() - kMd5Size);
  std::string_view digest = record.substr(record.size() - kMd5Size);
  if (Md5(proto) != digest) return Status::Corruption("KPL aggregated record: MD5 checksum mismatch");

  auto corrupt = [](const char* why) { return Status::Corruption(std::string("KPL aggregated record: ") + why); };
  std::vector<std::string_view> pk_table, ehk_table;
  std::vector<RawRecord> raw;
  Wire w(proto);
  while (!w.done()) {
    uint64_t tag = 0;
    if (!w.Varint(&tag)) return corrupt("truncated field tag");
    uint32_t field = static_cast<uint32_t>(tag >> 3), type = static_cast<uint32_t>(tag & 7);
    if ((field == 1 || field == 2 || field == 3) && type == 2) {
      std::string_view bytes;
      if (!w.Bytes(&bytes)) return corrupt("truncated length-delimited field");
      if (field == 1) pk_table.push_back(bytes);
      else if (field == 2) ehk_table.push_back(bytes);
      else {
        RawRecord r;
        if (!ParseRecord(bytes, &r)) return corrupt("malformed Record message");
        if (!r.has_pk || !r.has_data) return corrupt("Record without partition_key_index or data");
        raw.push_back(r);
      }
    } else if (field == 0 || !w.Skip(type)) {
      return corrupt("malformed protobuf");
    }
  }
  std::vector<UserRecord> out;
  out.reserve(raw.size());
  for (const RawRecord& r : raw) {
    if (r.pk_index >= pk_table.size()) return corrupt("partition_key_index out of range");
    UserRecord u;
    u.partition_key = std::string(pk_table[r.pk_index]);
    if (r.ehk_index) {
      if (*r.ehk_index >= ehk_table.size()) return corrupt("explicit_hash_key_index out of range");
      u.explicit_hash_key = std::string(ehk_table[*r.ehk_index]);
    }
    u.data = std::string(r.data);
    out.push_back(std::move(u));
  }
  return std::optional<std::vector<UserRecord>>(std::move(out));
}

std::string Aggregate(const std::vector<UserRecord>& records) {
  std::unordered_map<std::string_view, uint64_t> pk_index, ehk_index;
  std::vector<std::string_view> pks, ehks;
  std::string body;  // the records field bytes
  std::string rec;
  for (const UserRecord& u : records) {
    auto [pit, pnew] = pk_index.emplace(u.partition_key, pks.size());
    if (pnew) pks.push_back(u.partition_key);
    rec.clear();
    PutVarint(&rec, (1 << 3) | 0);
    PutVarint(&rec, pit->second);
    if (u.explicit_hash_key) {
      auto [eit, enew] = ehk_index.emplace(*u.explicit_hash_key, ehks.size());
      if (enew) ehks.push_back(*u.explicit_hash_key);
      PutVarint(&rec, (2 << 3) | 0);
      PutVarint(&rec, eit->second);
    }
    PutBytesField(&rec, 3, u.data);
    PutBytesField(&body, 3, rec);
  }
  std::string proto;
  for (auto pk : pks) PutBytesField(&proto, 1, pk);
  for (auto ehk : ehks) PutBytesField(&proto, 2, ehk);
  proto += body;
  std::string out(kKplMagic);
  out += proto;
  out += Md5(proto);
  return out;
}

}  // namespace sluice::codec
