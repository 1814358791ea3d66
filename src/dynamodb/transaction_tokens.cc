#include "dynamodb/transaction_tokens.h"

namespace sluice::dynamodb {

TransactionTokens::Seen TransactionTokens::CheckAndRecord(const std::string& token, const std::string& fingerprint,
                                                          int64_t now_ms) {
  std::lock_guard lk(mu_);
  for (auto it = tokens_.begin(); it != tokens_.end();)
    it = now_ms - it->second.at_ms > kWindowMs ? tokens_.erase(it) : std::next(it);
  auto it = tokens_.find(token);
  if (it == tokens_.end()) {
    tokens_[token] = {fingerprint, now_ms};
    return Seen::kNew;
  }
  return it->second.fingerprint == fingerprint ? Seen::kReplay : Seen::kMismatch;
}

void TransactionTokens::Forget(const std::string& token, const std::string& fingerprint) {
  std::lock_guard lk(mu_);
  auto it = tokens_.find(token);
  if (it != tokens_.end() && it->second.fingerprint == fingerprint) tokens_.erase(it);
}

}  // namespace sluice::dynamodb
