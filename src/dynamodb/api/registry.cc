#include <map>

#include "dynamodb/api/handlers.h"

namespace sluice::dynamodb::api {

Handler FindHandler(std::string_view operation) {
  static const std::map<std::string_view, Handler> kHandlers = {
      {"BatchGetItem", BatchGetItem},
      {"BatchWriteItem", BatchWriteItem},
      {"CreateTable", CreateTable},
      {"DeleteItem", DeleteItem},
      {"DeleteTable", DeleteTable},
      {"DescribeContinuousBackups", DescribeContinuousBackups},
      {"DescribeEndpoints", DescribeEndpoints},
      {"DescribeLimits", DescribeLimits},
      {"DescribeTable", DescribeTable},
      {"DescribeTimeToLive", DescribeTimeToLive},
      {"GetItem", GetItem},
      {"ListTables", ListTables},
      {"ListTagsOfResource", ListTagsOfResource},
      {"PutItem", PutItem},
      {"Query", Query},
      {"Scan", Scan},
      {"TagResource", TagResource},
      {"TransactGetItems", TransactGetItems},
      {"TransactWriteItems", TransactWriteItems},
      {"UntagResource", UntagResource},
      {"UpdateContinuousBackups", UpdateContinuousBackups},
      {"UpdateItem", UpdateItem},
      {"UpdateTable", UpdateTable},
      {"UpdateTimeToLive", UpdateTimeToLive},
  };
  auto it = kHandlers.find(operation);
  return it == kHandlers.end() ? nullptr : it->second;
}

}  // namespace sluice::dynamodb::api
