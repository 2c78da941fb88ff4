// A peer for side-by-side benchmarks: the benchmark subset of Fanwire's protocol (../lib/protocol.js), written
// the way an application on Node's `ws` would write it. Not a product: one process, JSON only, no history.
//
//   node peers/node-ws/server.js --port 9001 --secret <HS256 secret> [--host 127.0.0.1] [--api-key <key>]
//
// The HS256 check happens before the upgrade (401 otherwise); topics are a Map of Sets, and a publication is
// encoded once into a Buffer that every subscriber's socket is given.
'use strict';

const http = require('node:http');
const { WebSocketServer } = require('ws');
const { options, verifier, tokenOf, isWsPath, peer } = require('../lib/protocol');

const opts = options(process.argv.slice(2));
const verify = verifier(opts.secret);
/** topic -> Set<ws> */
const topics = new Map();

const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  maxPayload: 1 << 20,
  handleProtocols: (protocols, req) => req.fanwireProtocol || false,
});

const app = peer({
  send: (ws, text) => ws.send(text),
  subscribe(ws, topic) {
    let set = topics.get(topic);
    if (!set) topics.set(topic, (set = new Set()));
    set.add(ws);
    ws.topics.add(topic);
  },
  unsubscribe(ws, topic) {
    topics.get(topic)?.delete(ws);
    ws.topics.delete(topic);
  },
  publish(topic, text) {
    const set = topics.get(topic);
    if (!set || set.size === 0) return 0;
    const frame = Buffer.from(text);
    for (const ws of set) ws.send(frame, { binary: false });
    return set.size;
  },
  connections: () => wss.clients.size,
});

wss.on('connection', (ws, req) => {
  ws.topics = new Set();
  ws.on('message', (data) => app.message(ws, data));
  ws.on('close', () => {
    for (const name of ws.topics) topics.get(name)?.delete(ws);
  });
  ws.on('error', () => ws.terminate());
  app.opened(ws, req.fanwireUser);
});

function answer(res, status, body, type = 'application/json') {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const server = http.createServer((req, res) => {
  const path = req.url.split('?')[0];
  if (req.method === 'GET' && (path === '/health' || path === '/health/ready')) return answer(res, 200, '{"status":"ok"}');
  if (req.method === 'GET' && path === '/metrics') return answer(res, 200, app.metrics(), 'text/plain; version=0.0.4');
  if (path === '/api/publish') {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const [status, body] = app.apiPublish(opts.apiKey, req.headers['x-api-key'], req.method, Buffer.concat(chunks));
      answer(res, status, body);
    });
    return undefined;
  }
  return answer(res, 404, '{"error":"NOT_FOUND"}');
});

server.on('upgrade', (req, socket, head) => {
  const path = req.url.split('?')[0];
  const found = isWsPath(path) ? tokenOf((name) => req.headers[name]) : null;
  const user = found ? verify(found.token) : null;
  if (!user) {
    app.counts.refused++;
    const body = '{"error":"AUTH_FAILED"}';
    socket.end(`HTTP/1.1 ${isWsPath(path) ? '401 Unauthorized' : '404 Not Found'}\r\n`
      + `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    return;
  }
  req.fanwireUser = user;
  req.fanwireProtocol = found.protocol;
  app.counts.accepted++;
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});

server.listen(opts.port, opts.host, () => {
  const { port } = server.address();
  console.log(`node-ws peer listening on ws://${opts.host}:${port}/ws (metrics http://${opts.host}:${port}/metrics)`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    for (const ws of wss.clients) ws.close(1001, 'going away');
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
