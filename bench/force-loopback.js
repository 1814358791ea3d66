// Preloaded with `node -r` by bench/run.sh when starting the peer servers:
// forces every listening socket onto 127.0.0.1, so that no peer is reachable
// from outside loopback, without modifying the peers' code. Needed because
// kinesalite 3.3.3's CLI has no --host option (it listens on all interfaces)
// and kinesis-local hard-codes 0.0.0.0.
'use strict';
const net = require('net');
const LOOP = process.env.PEER_BIND_HOST || '127.0.0.1';
const orig = net.Server.prototype.listen;
function fixHost(h) {
  return (h === undefined || h === null || h === '' || h === '0.0.0.0' || h === '::' ||
          h === '::0') ? LOOP : h;
}
net.Server.prototype.listen = function (...args) {
  const a0 = args[0];
  if (args.length && typeof a0 === 'object' && a0 !== null && !Array.isArray(a0) &&
      !(a0 instanceof net.Server) && a0.port !== undefined) {
    args[0] = Object.assign({}, a0, { host: fixHost(a0.host) });
    delete args[0].ipv6Only;
  } else if (args.length && (typeof a0 === 'number' || (typeof a0 === 'string' && /^\d+$/.test(a0)))) {
    if (typeof args[1] === 'string' || args[1] === undefined || args[1] === null) {
      args[1] = fixHost(args[1]);
    } else if (typeof args[1] === 'function' || typeof args[1] === 'number') {
      args.splice(1, 0, LOOP);  // listen(port, cb) / listen(port, backlog, cb)
    }
  }
  return orig.apply(this, args);
};
