// DynamoDB scenarios (JSON 1.0, DynamoDB_20120810.*): ddb-put, ddb-get,
// ddb-update (KCL's lease renewal). Each creates its own table (PAY_PER_REQUEST,
// hash key `leaseKey` S), waits for ACTIVE, runs, and deletes the table.
#pragma once

#include <string>

#include "runner.h"
#include "scenarios.h"

namespace sluice::bench {

// Runs one of ddb-put, ddb-get, ddb-update on `table`; prints its JSON line.
// Returns true when the scenario completed with successful requests.
bool RunDdbScenario(Runner& run, const Options& o, const std::string& scenario, const std::string& table);

}  // namespace sluice::bench
