// A peer for side-by-side benchmarks: the benchmark subset of Fanwire's protocol, written the way an
// application on Node's `ws` would write it. Not a product: one process, JSON only, no history or recovery.
//
//   node peers/node-ws/server.js --port 9001 --secret <HS256 secret> [--host 127.0.0.1] [--api-key <key>]
//
// What it does:
//   - checks an HS256 JWT before the upgrade (Authorization: Bearer, cookie access_token, or the subprotocol
//     bearer.<token>); 401 otherwise;
//   - sends server_ready, answers ping with PONG, echoes messages of type echo, counts every message;
//   - subscription (subscribe/unsubscribe) and publish, with the tp/e/o stamp, encoded once per publication;
//   - GET /metrics in Prometheus text with Fanwire's names for what the bench client reads,
//     POST /api/publish with the API key, GET /health.
'use strict';

const http = require('node:http');
const crypto = require('node:crypto');
const { WebSocketServer } = require('ws');

function options(argv) {
  const out = { host: '127.0.0.1', port: 9001, secret: process.env.PEER_SECRET, apiKey: process.env.PEER_API_KEY };
  for (let i = 0; i < argv.length; i += 2) {
    const [name, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${name}: missing value`);
    if (name === '--host') out.host = value;
    else if (name === '--port') out.port = Number(value);
    else if (name === '--secret') out.secret = value;
    else if (name === '--api-key') out.apiKey = value;
    else throw new Error(`unknown option ${name} (expected --host, --port, --secret, --api-key)`);
  }
  if (!out.secret) throw new Error('--secret (or PEER_SECRET) is required');
  if (!Number.isInteger(out.port) || out.port < 0 || out.port > 65535) throw new Error(`--port ${out.port}`);
  return out;
}

const opts = options(process.argv.slice(2));
const key = opts.secret.startsWith('base64:') ? Buffer.from(opts.secret.slice(7), 'base64') : Buffer.from(opts.secret);
const LEEWAY_S = 30;

/** The token's sub when its HS256 signature and times hold, else null. */
function verify(token) {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url'));
    if (header.alg !== 'HS256') return null;
    const expected = crypto.createHmac('sha256', key).update(parts[0] + '.' + parts[1]).digest();
    const given = Buffer.from(parts[2], 'base64url');
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url'));
    const now = Date.now() / 1000;
    if (typeof claims.exp === 'number' && claims.exp + LEEWAY_S < now) return null;
    if (typeof claims.nbf === 'number' && claims.nbf - LEEWAY_S > now) return null;
    return typeof claims.sub === 'string' && claims.sub.length > 0 ? claims.sub : null;
  } catch {
    return null;
  }
}

/** The token of an upgrade request and the subprotocol to select, or null. */
function tokenOf(req) {
  const auth = req.headers.authorization;
  if (auth && auth.startsWith('Bearer ')) return { token: auth.slice(7).trim(), protocol: null };
  for (const cookie of (req.headers.cookie || '').split(';')) {
    const [name, ...rest] = cookie.trim().split('=');
    if (name === 'access_token') return { token: rest.join('='), protocol: null };
  }
  const offered = (req.headers['sec-websocket-protocol'] || '').split(',').map((p) => p.trim());
  const bearer = offered.find((p) => p.startsWith('bearer.'));
  if (bearer) return { token: bearer.slice(7), protocol: offered.includes('fanwire.v1') ? 'fanwire.v1' : bearer };
  return null;
}

const counts = { messagesIn: 0, bytesIn: 0, messagesOut: 0, deliveries: 0, publications: 0, accepted: 0, refused: 0 };
/** topic -> { epoch, offset, subscribers: Set<ws> } */
const topics = new Map();

function stream(name) {
  let t = topics.get(name);
  if (!t) {
    t = { epoch: crypto.randomBytes(4).toString('hex'), offset: 0, subscribers: new Set() };
    topics.set(name, t);
  }
  return t;
}

function send(ws, type, payload, cid, category = 'WSE') {
  const message = { c: category, t: type, p: payload, id: crypto.randomUUID(), ts: new Date().toISOString(), seq: ++ws.seq };
  if (cid !== undefined && cid !== null) message.cid = cid;
  message.v = 1;
  ws.send(JSON.stringify(message));
  counts.messagesOut++;
}

/** Stamps one publication and writes the same bytes to every subscriber. */
function publish(topic, type, data) {
  const t = stream(topic);
  t.offset++;
  counts.publications++;
  const frame = Buffer.from(JSON.stringify({ tp: topic, e: t.epoch, o: t.offset, c: 'U', t: type, p: data, v: 1 }));
  for (const ws of t.subscribers) {
    ws.send(frame, { binary: false });
    counts.deliveries++;
  }
  return { epoch: t.epoch, offset: t.offset };
}

function onMessage(ws, data) {
  counts.messagesIn++;
  counts.bytesIn += data.length;
  let m;
  try {
    m = JSON.parse(data);
  } catch {
    send(ws, 'error', { code: 'INVALID_MESSAGE', message: 'not JSON', recoverable: true });
    return;
  }
  const type = m.t || m.type;
  const p = m.p || m.payload || {};
  switch (type) {
    case 'ping': {
      const now = Date.now();
      const pong = { server_timestamp: now, latency: 0 };
      if (typeof p.timestamp === 'number') {
        pong.client_timestamp = p.timestamp;
        pong.latency = now - p.timestamp;
      }
      send(ws, 'PONG', pong, m.cid);
      break;
    }
    case 'echo':
      send(ws, 'echo', p, m.cid, 'U');
      break;
    case 'client_hello':
      send(ws, 'server_hello', { version: 1, features: { compression: false, msgpack: false } }, m.cid);
      break;
    case 'subscription':
    case 'subscription_update': {
      const names = Array.isArray(p.topics) ? p.topics : [];
      const recovery = {};
      for (const name of names) {
        if (p.action === 'unsubscribe') {
          topics.get(name)?.subscribers.delete(ws);
          ws.topics.delete(name);
        } else {
          const t = stream(name);
          t.subscribers.add(ws);
          ws.topics.add(name);
          recovery[name] = { epoch: t.epoch, offset: t.offset };
        }
      }
      send(ws, 'subscription_update', { success_topics: names, failed_topics: [], recovery }, m.cid);
      break;
    }
    case 'publish': {
      if (typeof p.topic !== 'string' || p.topic.length === 0) {
        send(ws, 'error', { code: 'INVALID_MESSAGE', message: 'publish: topic missing', recoverable: false }, m.cid);
        break;
      }
      const stamp = publish(p.topic, p.type || 'publication', p.data || {});
      if (m.cid !== undefined) send(ws, 'publish_ack', { topic: p.topic, epoch: stamp.epoch, offset: stamp.offset }, m.cid);
      break;
    }
    default:
      // pong, PONG and application messages: counted only, as Fanwire's count application does.
      break;
  }
}

const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  maxPayload: 1 << 20,
  handleProtocols: (protocols, req) => req.fanwireProtocol || false,
});

wss.on('connection', (ws, req) => {
  ws.seq = 0;
  ws.topics = new Set();
  ws.on('message', (data) => onMessage(ws, data));
  ws.on('close', () => {
    for (const name of ws.topics) topics.get(name)?.subscribers.delete(ws);
  });
  ws.on('error', () => ws.terminate());
  send(ws, 'server_ready', {
    message: 'Connection established',
    details: {
      version: 1,
      features: { compression: false, msgpack: false, encryption: false, batch_messages: false },
      connection_id: crypto.randomUUID(),
      server_time: new Date().toISOString(),
      user_id: req.fanwireUser,
    },
  });
});

function metrics() {
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  const lines = [
    ['fanwire_messages_in_total', 'counter', counts.messagesIn],
    ['fanwire_bytes_in_total', 'counter', counts.bytesIn],
    ['fanwire_messages_out_total', 'counter', counts.messagesOut],
    ['fanwire_deliveries_total', 'counter', counts.deliveries],
    ['fanwire_publications_total', 'counter', counts.publications],
    ['fanwire_slow_consumer_drops_total', 'counter', 0],
    ['fanwire_connections_active', 'gauge', wss.clients.size],
    ['fanwire_connections_accepted_total', 'counter', counts.accepted],
    ['fanwire_handshake_refusals_total', 'counter', counts.refused],
    ['process_resident_memory_bytes', 'gauge', mem.rss],
    ['process_cpu_seconds_total', 'counter', (cpu.user + cpu.system) / 1e6],
  ];
  return lines.map(([name, type, value]) => `# TYPE ${name} ${type}\n${name} ${value}\n`).join('');
}

function answer(res, status, body, type = 'application/json') {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const server = http.createServer((req, res) => {
  const path = req.url.split('?')[0];
  if (req.method === 'GET' && (path === '/health' || path === '/health/ready')) return answer(res, 200, '{"status":"ok"}');
  if (req.method === 'GET' && path === '/metrics') return answer(res, 200, metrics(), 'text/plain; version=0.0.4');
  if (path === '/api/publish') {
    const given = req.headers['x-api-key'];
    if (!opts.apiKey || given !== opts.apiKey) return answer(res, 401, '{"error":"AUTH_FAILED"}');
    if (req.method !== 'POST') return answer(res, 405, '{"error":"METHOD_NOT_ALLOWED"}');
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks));
      } catch {
        return answer(res, 400, '{"error":"INVALID_MESSAGE"}');
      }
      if (typeof body.topic !== 'string' || body.topic.length === 0) return answer(res, 400, '{"error":"INVALID_MESSAGE"}');
      const stamp = publish(body.topic, body.type || 'publication', body.data || {});
      answer(res, 200, JSON.stringify(stamp));
    });
    return undefined;
  }
  return answer(res, 404, '{"error":"NOT_FOUND"}');
});

server.on('upgrade', (req, socket, head) => {
  const path = req.url.split('?')[0];
  const found = path === '/ws' || path === '/wse' ? tokenOf(req) : null;
  const user = found ? verify(found.token) : null;
  if (!user) {
    counts.refused++;
    const body = '{"error":"AUTH_FAILED"}';
    socket.end(`HTTP/1.1 ${path === '/ws' || path === '/wse' ? '401 Unauthorized' : '404 Not Found'}\r\n`
      + `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    return;
  }
  req.fanwireUser = user;
  req.fanwireProtocol = found.protocol;
  counts.accepted++;
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
