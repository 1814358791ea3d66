// TransactionTokens: TransactWriteItems' ClientRequestToken idempotency. A
// token seen within the last 10 minutes with the same request is a replay
// (answered as a success without writing again); with a different request it
// is IdempotentParameterMismatchException. Kept in memory: a restart forgets
// the tokens (documented in docs/dynamodb.md).
//
// Thread-safety: all methods are safe to call concurrently; the API checks
// and records a token inside its write body, on the store's single writer
// thread, so two requests with one token are ordered.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace sluice::dynamodb {

class TransactionTokens {
 public:
  static constexpr int64_t kWindowMs = 10 * 60 * 1000;
  enum class Seen { kNew, kReplay, kMismatch };

  // Looks `token` up and, when new, records it for `fingerprint`.
  Seen CheckAndRecord(const std::string& token, const std::string& fingerprint, int64_t now_ms);
  // Forgets a token whose transaction did not commit.
  void Forget(const std::string& token, const std::string& fingerprint);

 private:
  struct Entry {
    std::string fingerprint;
    int64_t at_ms = 0;
  };
  std::mutex mu_;
  std::map<std::string, Entry> tokens_;
};

}  // namespace sluice::dynamodb
