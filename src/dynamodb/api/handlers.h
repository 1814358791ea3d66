// The DynamoDB actions, one function each (see FindHandler in registry.cc).
#pragma once

#include "dynamodb/api/context.h"

namespace sluice::dynamodb::api {

// Tables
void CreateTable(Context&, const rapidjson::Value&, Reply);
void DescribeTable(Context&, const rapidjson::Value&, Reply);
void UpdateTable(Context&, const rapidjson::Value&, Reply);
void DeleteTable(Context&, const rapidjson::Value&, Reply);
void ListTables(Context&, const rapidjson::Value&, Reply);
void DescribeTimeToLive(Context&, const rapidjson::Value&, Reply);
void UpdateTimeToLive(Context&, const rapidjson::Value&, Reply);
void TagResource(Context&, const rapidjson::Value&, Reply);
void UntagResource(Context&, const rapidjson::Value&, Reply);
void ListTagsOfResource(Context&, const rapidjson::Value&, Reply);
void DescribeContinuousBackups(Context&, const rapidjson::Value&, Reply);
void UpdateContinuousBackups(Context&, const rapidjson::Value&, Reply);
void DescribeLimits(Context&, const rapidjson::Value&, Reply);
void DescribeEndpoints(Context&, const rapidjson::Value&, Reply);
// Items
void GetItem(Context&, const rapidjson::Value&, Reply);
void PutItem(Context&, const rapidjson::Value&, Reply);
void UpdateItem(Context&, const rapidjson::Value&, Reply);
void DeleteItem(Context&, const rapidjson::Value&, Reply);
void BatchGetItem(Context&, const rapidjson::Value&, Reply);
void BatchWriteItem(Context&, const rapidjson::Value&, Reply);
void Query(Context&, const rapidjson::Value&, Reply);
void Scan(Context&, const rapidjson::Value&, Reply);
void TransactWriteItems(Context&, const rapidjson::Value&, Reply);
void TransactGetItems(Context&, const rapidjson::Value&, Reply);

// The handler of `operation`, or null when it is not implemented.
Handler FindHandler(std::string_view operation);

}  // namespace sluice::dynamodb::api
