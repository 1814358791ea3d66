#include "firehose/engine/formatter.h"

#include "codec/kpl_aggregation.h"
#include "compress/compress.h"
#include "firehose/format/jq_extractor.h"
#include "firehose/format/object_key.h"
#include "firehose/format/record_framing.h"

namespace sluice::firehose::engine {

struct Formatter::Impl {
  DeliveryStreamConfig config;
  std::optional<format::ObjectKeys> keys;
  std::string delimiter;                           // AppendDelimiterToRecord
  std::unique_ptr<format::JqExtractor> extractor;  // dynamic partitioning
  bool deaggregate = false;                        // KPL records from a Kinesis source
};

Formatter::Formatter(const DeliveryStreamConfig& config) : impl_(std::make_unique<Impl>()) { impl_->config = config; }
Formatter::~Formatter() = default;

Result<std::unique_ptr<Formatter>> Formatter::Create(const DeliveryStreamConfig& config) {
  std::unique_ptr<Formatter> f(new Formatter(config));
  Impl& im = *f->impl_;
  SLUICE_ASSIGN_OR_RETURN(im.keys, format::ObjectKeys::Create(config));
  bool append = false;
  SLUICE_ASSIGN_OR_RETURN(auto delimiter, format::DelimiterFor(config.destination, &append));
  im.delimiter = append ? delimiter : "";
  const auto& d = config.destination;
  if (d.dynamic_partitioning && d.processing_enabled) {
    for (const auto& p : d.processors) {
      if (p.type != "MetadataExtraction") continue;
      SLUICE_ASSIGN_OR_RETURN(im.extractor, format::JqExtractor::Compile(p.Param("MetadataExtractionQuery")));
    }
  }
  // Firehose reading a Kinesis stream de-aggregates KPL records into the
  // user records they carry.
  im.deaggregate = config.type == DeliveryStreamType::kKinesisStreamAsSource;
  return f;
}

Status Formatter::Process(const SourceRecord& record, std::vector<ProcessedRecord>* out,
                          std::optional<ProcessingFailure>* failure) {
  Impl& im = *impl_;
  std::vector<std::string> datas;
  if (im.deaggregate && codec::LooksAggregated(record.data)) {
    auto users = codec::Deaggregate(record.data);
    if (!users.ok()) {
      *failure = ProcessingFailure{"Deaggregation.Failed", users.status().message()};
      return Status::Ok();
    }
    if (*users)
      for (auto& u : **users) datas.push_back(std::move(u.data));
    else datas.push_back(record.data);
  } else {
    datas.push_back(record.data);
  }
  for (auto& data : datas) {
    ProcessedRecord pr;
    if (im.extractor) {
      auto values = im.extractor->Extract(data);
      if (!values.ok()) {
        *failure = ProcessingFailure{"DynamicPartitioning.MetadataExtractionFailed", values.status().message()};
        out->clear();
        return Status::Ok();
      }
      pr.partition = std::move(values).value();
    }
    pr.bytes = std::move(data);
    pr.bytes += im.delimiter;
    out->push_back(std::move(pr));
  }
  return Status::Ok();
}

Result<std::string> Formatter::ObjectKey(const PartitionValues& partition, int64_t oldest_arrival_ms,
                                         int64_t now_ms) const {
  return impl_->keys->Key(oldest_arrival_ms, now_ms, partition);
}

Result<std::string> Formatter::ErrorObjectKey(const std::string& error_type, int64_t oldest_arrival_ms,
                                              int64_t now_ms) const {
  return impl_->keys->ErrorKey(error_type, oldest_arrival_ms, now_ms);
}

Result<std::string> Formatter::Encode(std::string payload, const std::string& object_key) const {
  Compression c = impl_->config.destination.compression;
  if (c == Compression::kUncompressed) return payload;
  // A ZIP archive's one entry is named after the object, without ".zip".
  std::string entry = object_key.substr(object_key.rfind('/') + 1);
  if (entry.size() > 4 && entry.compare(entry.size() - 4, 4, ".zip") == 0) entry.resize(entry.size() - 4);
  return compress::Compress(c, payload, entry);
}

std::string Formatter::ContentEncoding() const {
  return std::string(format::ContentEncoding(impl_->config.destination.compression));
}

}  // namespace sluice::firehose::engine
