// Drives a DynamoDB endpoint with the unmodified AWS SDK for JavaScript v3:
// @aws-sdk/client-dynamodb (low level, waiters, paginators, errors) and
// @aws-sdk/lib-dynamodb (the DocumentClient with native JS values).
// Checks what it sees with node:assert, prints one JSON summary line and
// "dynamodb_sdk: ok"; exits 1 on the first failed check.
// tests/integration/test_dynamodb_api.py (SluiceOnly.test_js_sdk) runs it.
//
//   node dynamodb_sdk.js ENDPOINT TABLE
'use strict';
process.removeAllListeners('warning');
const assert = require('node:assert/strict');
const d = require('@aws-sdk/client-dynamodb');
const lib = require('@aws-sdk/lib-dynamodb');

async function main() {
  const [endpoint, table] = process.argv.slice(2);
  const client = new d.DynamoDBClient({
    endpoint, region: 'us-east-1', maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
  const doc = lib.DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const out = {};
  try {
    const created = await client.send(new d.CreateTableCommand({
      TableName: table, BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    }));
    assert.equal(created.TableDescription.TableName, table);
    const waited = await d.waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: table });
    assert.equal(waited.state, 'SUCCESS');
    const desc = await client.send(new d.DescribeTableCommand({ TableName: table }));
    assert.equal(desc.Table.TableStatus, 'ACTIVE');
    assert.ok(desc.Table.CreationDateTime instanceof Date);
    out.described = true;

    // DocumentClient: native values in, native values out
    for (let i = 0; i < 30; i++) {
      await doc.send(new lib.PutCommand({
        TableName: table,
        Item: { pk: 'p', sk: i, name: `n${i}`, tags: new Set(['a', `t${i % 3}`]), nested: { list: [i, 'x', { ok: true }] }, none: null },
      }));
    }
    const got = await doc.send(new lib.GetCommand({ TableName: table, Key: { pk: 'p', sk: 7 }, ConsistentRead: true }));
    assert.equal(got.Item.name, 'n7');
    assert.deepEqual(got.Item.nested, { list: [7, 'x', { ok: true }] });
    assert.ok(got.Item.tags instanceof Set && got.Item.tags.has('t1'));
    assert.equal(got.Item.none, null);

    // conditional update with ReturnValues
    const upd = await doc.send(new lib.UpdateCommand({
      TableName: table, Key: { pk: 'p', sk: 7 }, UpdateExpression: 'SET #n = :v ADD cnt :one',
      ConditionExpression: '#n = :old', ExpressionAttributeNames: { '#n': 'name' },
      ExpressionAttributeValues: { ':v': 'renamed', ':one': 1, ':old': 'n7' }, ReturnValues: 'ALL_NEW',
    }));
    assert.equal(upd.Attributes.name, 'renamed');
    assert.equal(upd.Attributes.cnt, 1);
    try {
      await doc.send(new lib.UpdateCommand({
        TableName: table, Key: { pk: 'p', sk: 7 }, UpdateExpression: 'SET #n = :v',
        ConditionExpression: '#n = :old', ExpressionAttributeNames: { '#n': 'name' },
        ExpressionAttributeValues: { ':v': 'again', ':old': 'n7' }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      assert.fail('conditional update should have failed');
    } catch (e) {
      assert.equal(e.name, 'ConditionalCheckFailedException');
      assert.ok(e instanceof d.ConditionalCheckFailedException);
      assert.equal(e.$metadata.httpStatusCode, 400);
      assert.equal(e.Item.name.S, 'renamed');
      out.conditionalFailure = e.name;
    }

    // query paginator over every page, backwards
    const seen = [];
    for await (const page of lib.paginateQuery({ client: doc, pageSize: 4 }, {
      TableName: table, KeyConditionExpression: 'pk = :p AND sk >= :s',
      ExpressionAttributeValues: { ':p': 'p', ':s': 10 }, ScanIndexForward: false,
    })) {
      assert.ok(page.Items.length <= 4);
      for (const it of page.Items) seen.push(it.sk);
    }
    assert.deepEqual(seen, Array.from({ length: 20 }, (_, i) => 29 - i));
    out.queried = seen.length;

    // parallel scan: every item exactly once
    const scanned = [];
    for (let seg = 0; seg < 3; seg++) {
      for await (const page of lib.paginateScan({ client: doc, pageSize: 5 }, {
        TableName: table, Segment: seg, TotalSegments: 3, FilterExpression: 'contains(tags, :a)',
        ExpressionAttributeValues: { ':a': 'a' },
      })) {
        for (const it of page.Items) scanned.push(it.sk);
      }
    }
    assert.deepEqual(scanned.sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => i));
    out.scanned = scanned.length;

    // batch and transactions
    const bw = await doc.send(new lib.BatchWriteCommand({ RequestItems: { [table]: [
      { PutRequest: { Item: { pk: 'q', sk: 1, v: 1 } } }, { PutRequest: { Item: { pk: 'q', sk: 2, v: 2 } } },
      { DeleteRequest: { Key: { pk: 'p', sk: 0 } } }] } }));
    assert.deepEqual(bw.UnprocessedItems, {});
    const bg = await doc.send(new lib.BatchGetCommand({ RequestItems: { [table]: { Keys: [{ pk: 'q', sk: 1 }, { pk: 'q', sk: 2 }, { pk: 'p', sk: 0 }] } } }));
    assert.deepEqual(bg.Responses[table].map((i) => i.v).sort(), [1, 2]);
    await doc.send(new lib.TransactWriteCommand({ TransactItems: [
      { Update: { TableName: table, Key: { pk: 'q', sk: 1 }, UpdateExpression: 'SET v = v - :x', ConditionExpression: 'v >= :x', ExpressionAttributeValues: { ':x': 1 } } },
      { Update: { TableName: table, Key: { pk: 'q', sk: 2 }, UpdateExpression: 'SET v = v + :x', ExpressionAttributeValues: { ':x': 1 } } }] }));
    try {
      await doc.send(new lib.TransactWriteCommand({ TransactItems: [
        { Update: { TableName: table, Key: { pk: 'q', sk: 1 }, UpdateExpression: 'SET v = v - :x', ConditionExpression: 'v >= :x', ExpressionAttributeValues: { ':x': 1 } } },
        { Update: { TableName: table, Key: { pk: 'q', sk: 2 }, UpdateExpression: 'SET v = v + :x', ExpressionAttributeValues: { ':x': 1 } } }] }));
      assert.fail('transaction should have been cancelled');
    } catch (e) {
      assert.equal(e.name, 'TransactionCanceledException');
      assert.deepEqual(e.CancellationReasons.map((r) => r.Code), ['ConditionalCheckFailed', 'None']);
    }
    const tg = await doc.send(new lib.TransactGetCommand({ TransactItems: [
      { Get: { TableName: table, Key: { pk: 'q', sk: 1 } } }, { Get: { TableName: table, Key: { pk: 'q', sk: 2 } } }] }));
    assert.deepEqual(tg.Responses.map((r) => r.Item.v), [0, 3]);
    out.transactions = true;

    // errors
    try {
      await client.send(new d.GetItemCommand({ TableName: table + '-missing', Key: { pk: { S: 'x' } } }));
      assert.fail('missing table');
    } catch (e) {
      assert.equal(e.name, 'ResourceNotFoundException');
      assert.equal(e.$metadata.httpStatusCode, 400);
    }
    try {
      await client.send(new d.PutItemCommand({ TableName: table, Item: { pk: { S: 'x' }, sk: { N: '1'.repeat(39) } } }));
      assert.fail('39 digits');
    } catch (e) {
      assert.equal(e.name, 'ValidationException');
    }
    await client.send(new d.DeleteTableCommand({ TableName: table }));
    await d.waitUntilTableNotExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: table });
    out.deleted = true;
  } catch (e) {
    out.error = `${e.name}: ${e.message}`;
    process.stdout.write(JSON.stringify(out) + '\n');
    process.stderr.write((e.stack || String(e)) + '\n');
    client.destroy();
    process.exit(1);
  }
  client.destroy();
  process.stdout.write(JSON.stringify(out) + '\n');
  process.stdout.write('dynamodb_sdk: ok\n');
}

main();
