#include <gtest/gtest.h>

#include <set>
#include <string>
#include <unordered_map>

#include "sluice/pipeline/event_generator.h"
#include "sluice/pipeline/json_fields.h"

namespace sluice::pipeline {
namespace {

std::unique_ptr<EventGenerator> Make(EventGeneratorOptions o, const Clock* clock) {
  auto g = EventGenerator::Create(std::move(o), clock);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  return std::move(g).value();
}

TEST(EventGenerator, SameSeedAndClockGiveByteIdenticalEvents) {
  ManualClock clock(1'700'000'000'000);
  EventGeneratorOptions o;
  o.seed = 42;
  o.duplicate_fraction = 0.2;
  auto a = Make(o, &clock);
  auto b = Make(o, &clock);
  for (int i = 0; i < 2000; ++i) {
    auto ea = a->Next();
    auto eb = b->Next();
    ASSERT_EQ(ea.json, eb.json) << i;
    ASSERT_EQ(ea.duplicate, eb.duplicate);
    clock.Advance(1);
  }
  EXPECT_EQ(a->duplicate_ids(), b->duplicate_ids());
}

TEST(EventGenerator, DifferentSeedsGiveDifferentRunIdsAndEvents) {
  ManualClock clock(1'700'000'000'000);
  EventGeneratorOptions o;
  o.seed = 1;
  auto a = Make(o, &clock);
  o.seed = 2;
  auto b = Make(o, &clock);
  EXPECT_NE(a->run_id(), b->run_id());
  EXPECT_NE(a->Next().json, b->Next().json);
}

TEST(EventGenerator, EventsHaveTheDocumentedFields) {
  ManualClock clock(1'700'000'000'123);
  EventGeneratorOptions o;
  o.run_id = "run7";
  o.user_count = 10;
  o.value_min = 5;
  o.value_max = 6;
  auto g = Make(o, &clock);
  for (int i = 0; i < 100; ++i) {
    auto e = g->Next();
    EXPECT_EQ(e.event_id, std::string("run7-") + std::to_string(i));
    auto f = ExtractJsonFields(e.json, {"event_id", "user_id", "value", "event_type", "produced_at_ms", "padding"});
    ASSERT_TRUE(f.ok()) << e.json;
    EXPECT_EQ((*f)[0].text, e.event_id);
    EXPECT_EQ((*f)[1].text, e.user_id);
    EXPECT_TRUE(e.user_id.starts_with("user-00")) << e.user_id;
    ASSERT_EQ((*f)[2].kind, JsonField::Kind::kNumber);
    const double v = std::stod((*f)[2].text);
    EXPECT_GE(v, 5.0);
    EXPECT_LT(v, 6.0);
    EXPECT_TRUE((*f)[3].text == "page_view" || (*f)[3].text == "click" || (*f)[3].text == "add_to_cart" ||
                (*f)[3].text == "purchase");
    EXPECT_EQ(JsonFieldAsInt64((*f)[4]), 1'700'000'000'123);
    EXPECT_EQ((*f)[5].kind, JsonField::Kind::kMissing);  // no padding asked
  }
}

TEST(EventGenerator, NegativeValuesAreFormattedCorrectly) {
  ManualClock clock(0);
  EventGeneratorOptions o;
  o.value_min = -1;
  o.value_max = 0;
  auto g = Make(o, &clock);
  for (int i = 0; i < 50; ++i) {
    auto f = ExtractJsonFields(g->Next().json, {"value"});
    ASSERT_TRUE(f.ok());
    const double v = std::stod((*f)[0].text);
    EXPECT_GE(v, -1.0);
    EXPECT_LT(v, 0.0);
  }
}

TEST(EventGenerator, PaddingReachesTheTargetSizeExactly) {
  ManualClock clock(1'700'000'000'000);
  EventGeneratorOptions o;
  o.target_record_bytes = 1000;
  auto g = Make(o, &clock);
  for (int i = 0; i < 100; ++i) {
    auto e = g->Next();
    EXPECT_EQ(e.json.size(), 1000u);
    EXPECT_TRUE(ExtractJsonFields(e.json, {}).ok());
  }
  // A target below the natural size leaves events unpadded.
  o.target_record_bytes = 20;
  auto small = Make(o, &clock);
  auto e = small->Next();
  EXPECT_GT(e.json.size(), 20u);
  EXPECT_EQ(e.json.find("padding"), std::string::npos);
}

TEST(EventGenerator, DuplicateFractionIsWithinTolerance) {
  ManualClock clock(1'700'000'000'000);
  EventGeneratorOptions o;
  o.seed = 7;
  o.duplicate_fraction = 0.1;
  o.duplicate_window = 100;
  o.target_record_bytes = 300;  // duplicates are re-rendered: padding must match too
  auto g = Make(o, &clock);
  constexpr int kN = 50'000;
  std::unordered_map<std::string, std::string> first;  // id -> json
  std::vector<std::string> dup_ids;
  for (int i = 0; i < kN; ++i) {
    clock.Advance(1);
    auto e = g->Next();
    auto [it, inserted] = first.emplace(e.event_id, e.json);
    if (e.duplicate) {
      ASSERT_FALSE(inserted) << "a duplicate must repeat an earlier event";
      EXPECT_EQ(it->second, e.json) << "duplicates are byte-for-byte";
      dup_ids.push_back(e.event_id);
    } else {
      ASSERT_TRUE(inserted) << "unique events have fresh ids";
    }
  }
  EXPECT_EQ(g->emitted(), static_cast<uint64_t>(kN));
  EXPECT_EQ(g->unique_emitted() + g->duplicates_injected(), static_cast<uint64_t>(kN));
  EXPECT_EQ(first.size(), g->unique_emitted());
  EXPECT_EQ(g->duplicate_ids(), dup_ids);
  const double fraction = static_cast<double>(g->duplicates_injected()) / kN;
  EXPECT_NEAR(fraction, 0.1, 0.01);
}

TEST(EventGenerator, DuplicatesComeFromTheRecentWindow) {
  ManualClock clock(0);
  EventGeneratorOptions o;
  o.run_id = "w";
  o.duplicate_fraction = 0.5;
  o.duplicate_window = 10;
  auto g = Make(o, &clock);
  for (int i = 0; i < 5000; ++i) {
    auto e = g->Next();
    if (!e.duplicate) continue;
    const uint64_t n = std::stoull(e.event_id.substr(2));
    EXPECT_LT(g->unique_emitted() - 1 - n, 10u) << "id " << n << " is older than the window";
  }
}

TEST(EventGenerator, NoDuplicatesWhenFractionIsZero) {
  ManualClock clock(0);
  auto g = Make({}, &clock);
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(ids.insert(g->Next().event_id).second);
  EXPECT_EQ(g->duplicates_injected(), 0u);
}

TEST(EventGenerator, RejectsOutOfRangeOptions) {
  ManualClock clock(0);
  EventGeneratorOptions o;
  o.duplicate_fraction = 1.0;
  EXPECT_FALSE(EventGenerator::Create(o, &clock).ok());
  o = {};
  o.user_count = 0;
  EXPECT_FALSE(EventGenerator::Create(o, &clock).ok());
  o = {};
  o.event_types.clear();
  EXPECT_FALSE(EventGenerator::Create(o, &clock).ok());
  o = {};
  o.value_min = 3;
  o.value_max = 3;
  EXPECT_FALSE(EventGenerator::Create(o, &clock).ok());
  o = {};
  o.run_id = "bad\"id";
  EXPECT_FALSE(EventGenerator::Create(o, &clock).ok());
}

}  // namespace
}  // namespace sluice::pipeline
