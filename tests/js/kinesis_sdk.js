// Drives a Kinesis endpoint with the unmodified AWS SDK for JavaScript v3
// (@aws-sdk/client-kinesis), which speaks HTTP/2 to it (h2c on http://).
// Prints one JSON object with what it saw; tests/integration/test_http2.py
// asserts on it.
//
//   node kinesis_sdk.js ENDPOINT STREAM
'use strict';
process.removeAllListeners('warning');  // the SDK's Node-version notice
const k = require('@aws-sdk/client-kinesis');

async function main() {
  const [endpoint, stream] = process.argv.slice(2);
  const client = new k.KinesisClient({
    endpoint, region: 'us-east-1', maxAttempts: 1,
    credentials: { accessKeyId: process.env.SDK_KEY || 'AKIDEXAMPLE', secretAccessKey: process.env.SDK_SECRET || 'secret' },
  });
  const out = {};
  try {
    await client.send(new k.CreateStreamCommand({ StreamName: stream, ShardCount: 2 }));
    await k.waitUntilStreamExists({ client, maxWaitTime: 30, minDelay: 1 }, { StreamName: stream });
    const summary = await client.send(new k.DescribeStreamSummaryCommand({ StreamName: stream }));
    out.status = summary.StreamDescriptionSummary.StreamStatus;
    out.created = summary.StreamDescriptionSummary.StreamCreationTimestamp.getTime();

    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const put = await client.send(new k.PutRecordCommand({ StreamName: stream, Data: bytes, PartitionKey: 'k' }));
    out.putShard = put.ShardId;
    const batch = await client.send(new k.PutRecordsCommand({
      StreamName: stream,
      Records: Array.from({ length: 50 }, (_, i) => ({ Data: Buffer.from(`event-${i}`), PartitionKey: `p${i}` })),
    }));
    out.failed = batch.FailedRecordCount;
    out.batchEntries = batch.Records.length;

    // Many calls at once: HTTP/2 streams on one connection.
    const parallel = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      client.send(new k.PutRecordCommand({ StreamName: stream, Data: Buffer.from(`parallel-${i}`), PartitionKey: `q${i}` }))));
    out.parallelOk = parallel.filter((r) => r.SequenceNumber).length;

    const shards = (await client.send(new k.ListShardsCommand({ StreamName: stream }))).Shards;
    out.shards = shards.length;
    const data = [];
    for (const s of shards) {
      const it = await client.send(new k.GetShardIteratorCommand({
        StreamName: stream, ShardId: s.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
      const got = await client.send(new k.GetRecordsCommand({ ShardIterator: it.ShardIterator }));
      for (const r of got.Records) {
        data.push(Buffer.from(r.Data).toString('base64'));
        out.arrivalIsDate = r.ApproximateArrivalTimestamp instanceof Date;
      }
    }
    out.records = data.length;
    out.binaryIntact = data.includes(Buffer.from(bytes).toString('base64'));

    try {
      await client.send(new k.DescribeStreamCommand({ StreamName: stream + '-missing' }));
      out.missingError = 'none';
    } catch (e) {
      out.missingError = e.name;
      out.missingStatus = e.$metadata && e.$metadata.httpStatusCode;
    }
    await client.send(new k.DeleteStreamCommand({ StreamName: stream }));
    out.deleted = true;
  } catch (e) {
    out.error = `${e.name}: ${e.message}`;
  } finally {
    client.destroy();
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main();
