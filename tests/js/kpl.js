// KPL aggregation with the independent npm implementation (aws-kinesis-agg),
// for the interoperability tests (tests/integration/test_kpl_aggregation.py).
//
//   node kpl.js aggregate    stdin: JSON lines {partitionKey, data (base64)}
//                            stdout: JSON lines {partitionKey, explicitHashKey, data (base64)}, one per
//                            aggregated Kinesis record the library emits
//   node kpl.js deaggregate  stdin: JSON lines {sequenceNumber, partitionKey, data (base64)} (Kinesis records)
//                            stdout: JSON lines {sequenceNumber, subSequenceNumber, partitionKey, data (base64)}
//                            (MD5 checksums verified)
'use strict';
const agg = require('aws-kinesis-agg');
const readline = require('readline');

async function readLines() {
  const out = [];
  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) if (line.trim()) out.push(JSON.parse(line));
  return out;
}

function fail(err) {
  process.stderr.write(String(err && err.stack || err) + '\n');
  process.exit(1);
}

async function main() {
  const mode = process.argv[2];
  const input = await readLines();
  if (mode === 'aggregate') {
    const records = input.map((r) => ({ partitionKey: r.partitionKey, data: Buffer.from(r.data, 'base64') }));
    agg.aggregate(records, (encoded, done) => {
      process.stdout.write(JSON.stringify({
        partitionKey: encoded.partitionKey,
        explicitHashKey: encoded.explicitHashKey,
        data: Buffer.from(encoded.data).toString('base64'),
      }) + '\n');
      done();
    }, () => {}, fail);
  } else if (mode === 'deaggregate') {
    for (const r of input) {
      const record = { sequenceNumber: r.sequenceNumber, partitionKey: r.partitionKey, data: r.data };
      agg.deaggregateSync(record, true, (err, users) => {
        if (err) fail(err);
        for (const u of users)
          process.stdout.write(JSON.stringify({
            sequenceNumber: String(u.sequenceNumber),
            subSequenceNumber: u.subSequenceNumber,
            partitionKey: u.partitionKey,
            data: Buffer.from(u.data, 'base64').toString('base64'),
          }) + '\n');
      });
    }
  } else {
    fail('usage: node kpl.js aggregate|deaggregate');
  }
}

main().catch(fail);
