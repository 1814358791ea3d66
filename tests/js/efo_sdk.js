// Enhanced fan-out with the unmodified AWS SDK for JavaScript v3: registers a
// consumer, subscribes to a shard (an event stream over HTTP/2), puts records
// while subscribed and reports what arrived and how fast. Prints one JSON
// object; tests/integration/test_efo.py asserts on it.
//
//   node efo_sdk.js ENDPOINT STREAM COUNT
'use strict';
process.removeAllListeners('warning');
const k = require('@aws-sdk/client-kinesis');

async function main() {
  const [endpoint, stream, countArg] = process.argv.slice(2);
  const count = Number(countArg || 20);
  const client = new k.KinesisClient({
    endpoint, region: 'us-east-1', maxAttempts: 1,
    credentials: { accessKeyId: process.env.SDK_KEY || 'AKIDEXAMPLE', secretAccessKey: process.env.SDK_SECRET || 'secret' },
  });
  const out = { events: 0, records: [], latenciesMs: [] };
  try {
    await client.send(new k.CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
    await k.waitUntilStreamExists({ client, maxWaitTime: 30, minDelay: 1 }, { StreamName: stream });
    const arn = (await client.send(new k.DescribeStreamSummaryCommand({ StreamName: stream })))
      .StreamDescriptionSummary.StreamARN;
    const consumer = (await client.send(new k.RegisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: 'js' })))
      .Consumer;
    for (let i = 0; i < 50; i++) {
      const d = await client.send(new k.DescribeStreamConsumerCommand({ ConsumerARN: consumer.ConsumerARN }));
      if (d.ConsumerDescription.ConsumerStatus === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const sub = await client.send(new k.SubscribeToShardCommand({
      ConsumerARN: consumer.ConsumerARN, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'LATEST' },
    }));
    const sentAt = new Map();
    const producer = (async () => {
      await new Promise((r) => setTimeout(r, 200));
      for (let i = 0; i < count; i++) {
        sentAt.set(`r-${i}`, Date.now());
        await client.send(new k.PutRecordCommand({ StreamName: stream, Data: Buffer.from(`r-${i}`), PartitionKey: 'k' }));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    for await (const ev of sub.EventStream) {
      if (!ev.SubscribeToShardEvent) continue;
      out.events++;
      out.continuation = ev.SubscribeToShardEvent.ContinuationSequenceNumber;
      for (const r of ev.SubscribeToShardEvent.Records) {
        const data = Buffer.from(r.Data).toString();
        out.records.push(data);
        if (sentAt.has(data)) out.latenciesMs.push(Date.now() - sentAt.get(data));
      }
      if (out.records.length >= count) break;
    }
    await producer;
  } catch (e) {
    out.error = `${e.name}: ${e.message}`;
  } finally {
    client.destroy();
  }
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(0);
}

main();
