#include "base/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace sluice {
namespace {

Status FailsWith(StatusCode code) { return code == StatusCode::kOk ? Status::Ok() : Status(code, "boom"); }

Result<int> Number(bool ok) {
  if (!ok) return Status::NotFound("no number");
  return 7;
}

Status ReturnIfError(StatusCode code, int* reached) {
  SLUICE_RETURN_IF_ERROR(FailsWith(code));
  ++*reached;
  return Status::Ok();
}

TEST(ReturnIfError, PassesAnOkStatusOn) {
  int reached = 0;
  EXPECT_TRUE(ReturnIfError(StatusCode::kOk, &reached).ok());
  EXPECT_EQ(reached, 1);
}

TEST(ReturnIfError, ReturnsTheErrorUnchanged) {
  int reached = 0;
  Status st = ReturnIfError(StatusCode::kIoError, &reached);
  EXPECT_EQ(st.code(), StatusCode::kIoError);
  EXPECT_EQ(st.message(), "boom");
  EXPECT_EQ(reached, 0);
}

Result<std::string> ReturnIfErrorOfResult(bool ok) {
  SLUICE_RETURN_IF_ERROR(Number(ok));  // a Result's value is dropped
  return std::string("after");
}

TEST(ReturnIfError, TakesAResultAndWorksInAResultFunction) {
  EXPECT_EQ(ReturnIfErrorOfResult(true).value(), "after");
  Result<std::string> failed = ReturnIfErrorOfResult(false);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kNotFound);
}

TEST(ReturnIfError, EvaluatesItsArgumentOnce) {
  int calls = 0;
  auto once = [&]() -> Status {
    ++calls;
    return Status::Ok();
  };
  auto f = [&]() -> Status {
    SLUICE_RETURN_IF_ERROR(once());
    return Status::Ok();
  };
  EXPECT_TRUE(f().ok());
  EXPECT_EQ(calls, 1);
}

Result<int> Doubled(bool ok) {
  SLUICE_ASSIGN_OR_RETURN(int n, Number(ok));
  return 2 * n;
}

TEST(AssignOrReturn, DeclaresTheValue) {
  EXPECT_EQ(Doubled(true).value(), 14);
  Result<int> failed = Doubled(false);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(failed.status().message(), "no number");
}

Status AssignToExisting(bool ok, int* out) {
  SLUICE_ASSIGN_OR_RETURN(*out, Number(ok));
  return Status::Ok();
}

TEST(AssignOrReturn, AssignsAnExistingLvalueAndLeavesItOnError) {
  int out = -1;
  EXPECT_FALSE(AssignToExisting(false, &out).ok());
  EXPECT_EQ(out, -1);
  EXPECT_TRUE(AssignToExisting(true, &out).ok());
  EXPECT_EQ(out, 7);
}

Result<std::unique_ptr<int>> Owned() { return std::make_unique<int>(5); }

Result<int> TwoInOneScope() {
  // Two uses in one scope need distinct hidden names; a move-only value moves.
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<int> a, Owned());
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<int> b, Owned());
  return *a + *b;
}

TEST(AssignOrReturn, MovesMoveOnlyValuesAndCanRepeatInOneScope) { EXPECT_EQ(TwoInOneScope().value(), 10); }

TEST(Status, IgnoreErrorIsAnExplicitNoOp) {
  FailsWith(StatusCode::kIoError).IgnoreError();  // compiles without a discard warning
  Number(false).IgnoreError();
  SUCCEED();
}

}  // namespace
}  // namespace sluice
