// A peer for side-by-side benchmarks: the benchmark subset of Fanwire's protocol (../lib/protocol.js) on
// Bun.serve (itself built on uWebSockets), written the way a Bun application would: the HS256 check in fetch
// before server.upgrade (401 otherwise), and topics through Bun's own pub/sub (ws.subscribe, server.publish).
//
//   bun peers/bun/server.js --port 9001 --secret <HS256 secret> [--host 127.0.0.1] [--api-key <key>]
//   (the bun binary is peers/node_modules/@oven/bun-linux-x64/bin/bun after peers/install.sh)
'use strict';

const { options, verifier, tokenOf, isWsPath, peer } = require('../lib/protocol');

const opts = options(process.argv.slice(2));
const verify = verifier(opts.secret);
const open = new Set();
let server = null;

const app = peer({
  send: (conn, text) => conn.ws.send(text),
  subscribe: (conn, topic) => conn.ws.subscribe(topic),
  unsubscribe: (conn, topic) => conn.ws.unsubscribe(topic),
  publish(topic, text) {
    const subscribers = server.subscriberCount(topic);
    if (subscribers > 0) server.publish(topic, text);
    return subscribers;
  },
  connections: () => open.size,
});

function json(status, body, type = 'application/json') {
  return new Response(body, { status, headers: { 'content-type': type } });
}

server = Bun.serve({
  hostname: opts.host,
  port: opts.port,
  async fetch(req, srv) {
    const path = new URL(req.url).pathname;
    if (isWsPath(path) && (req.headers.get('upgrade') || '').toLowerCase() === 'websocket') {
      const found = tokenOf((name) => req.headers.get(name));
      const user = found ? verify(found.token) : null;
      if (!user) {
        app.counts.refused++;
        return json(401, '{"error":"AUTH_FAILED"}');
      }
      app.counts.accepted++;
      const headers = found.protocol ? { 'Sec-WebSocket-Protocol': found.protocol } : undefined;
      if (srv.upgrade(req, { data: { user }, headers })) return undefined;
      return json(400, '{"error":"UPGRADE_FAILED"}');
    }
    if (req.method === 'GET' && (path === '/health' || path === '/health/ready')) return json(200, '{"status":"ok"}');
    if (req.method === 'GET' && path === '/metrics') return json(200, app.metrics(), 'text/plain; version=0.0.4');
    if (path === '/api/publish') {
      const [status, body] = app.apiPublish(opts.apiKey, req.headers.get('x-api-key'), req.method, await req.text());
      return json(status, body);
    }
    return json(404, '{"error":"NOT_FOUND"}');
  },
  websocket: {
    perMessageDeflate: false,
    maxPayloadLength: 1 << 20,
    backpressureLimit: 64 * 1024 * 1024,
    closeOnBackpressureLimit: false,
    idleTimeout: 0,
    open(ws) {
      const conn = ws.data;
      conn.ws = ws;
      open.add(conn);
      app.opened(conn, conn.user);
    },
    message: (ws, message) => app.message(ws.data, message),
    close: (ws) => open.delete(ws.data),
  },
});

console.log(`bun peer listening on ws://${opts.host}:${server.port}/ws (metrics http://${opts.host}:${server.port}/metrics)`);

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    for (const conn of open) conn.ws.close(1001, 'going away');
    server.stop();
    setTimeout(() => process.exit(0), 200);
  });
}
