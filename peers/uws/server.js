// A peer for side-by-side benchmarks: the benchmark subset of Fanwire's protocol (../lib/protocol.js) on
// uWebSockets.js (the @trufflesuite/uws-js-unofficial build, prebuilt for Node 20), written the way a uWS.js
// application would: the HS256 check in the upgrade handler (401 otherwise), and topics through uWS's own
// pub/sub, which encodes a publication once and fans it out in C++.
//
//   node peers/uws/server.js --port 9001 --secret <HS256 secret> [--host 127.0.0.1] [--api-key <key>]
'use strict';

const uWS = require('@trufflesuite/uws-js-unofficial');
const { options, verifier, tokenOf, isWsPath, peer } = require('../lib/protocol');

const opts = options(process.argv.slice(2));
const verify = verifier(opts.secret);
const MAX_BACKPRESSURE = 64 * 1024 * 1024;
const open = new Set();

const server = uWS.App();

const app = peer({
  send: (conn, text) => conn.ws.send(text, false),
  subscribe: (conn, topic) => conn.ws.subscribe(topic),
  unsubscribe: (conn, topic) => conn.ws.unsubscribe(topic),
  publish(topic, text) {
    const subscribers = server.numSubscribers(topic);
    if (subscribers > 0) server.publish(topic, text, false);
    return subscribers;
  },
  connections: () => open.size,
});

function refuse(res, status) {
  app.counts.refused++;
  res.cork(() => res.writeStatus(status).writeHeader('Content-Type', 'application/json').end('{"error":"AUTH_FAILED"}', true));
}

const behaviour = {
  compression: uWS.DISABLED,
  maxPayloadLength: 1 << 20,
  maxBackpressure: MAX_BACKPRESSURE,
  idleTimeout: 0,
  upgrade(res, req, context) {
    const found = tokenOf((name) => req.getHeader(name));
    const user = found ? verify(found.token) : null;
    if (!user) {
      refuse(res, '401 Unauthorized');
      return;
    }
    app.counts.accepted++;
    res.upgrade({ user }, req.getHeader('sec-websocket-key'), found.protocol || '',
      req.getHeader('sec-websocket-extensions'), context);
  },
  open(ws) {
    const conn = ws.getUserData();
    conn.ws = ws;
    open.add(conn);
    app.opened(conn, conn.user);
  },
  message: (ws, message) => app.message(ws.getUserData(), new Uint8Array(message)),
  close: (ws) => open.delete(ws.getUserData()),
};

function answer(res, status, body, type = 'application/json') {
  res.cork(() => res.writeStatus(status).writeHeader('Content-Type', type).end(body));
}

let listening = null;
server
  .ws('/ws', behaviour)
  .ws('/wse', behaviour)
  .get('/health', (res) => answer(res, '200 OK', '{"status":"ok"}'))
  .get('/health/ready', (res) => answer(res, '200 OK', '{"status":"ok"}'))
  .get('/metrics', (res) => answer(res, '200 OK', app.metrics(), 'text/plain; version=0.0.4'))
  .any('/api/publish', (res, req) => {
    const method = req.getMethod().toUpperCase();
    const givenKey = req.getHeader('x-api-key');
    const chunks = [];
    let aborted = false;
    res.onAborted(() => { aborted = true; });
    res.onData((chunk, last) => {
      chunks.push(Buffer.from(chunk.slice(0)));
      if (!last || aborted) return;
      const [status, body] = app.apiPublish(opts.apiKey, givenKey, method, Buffer.concat(chunks));
      answer(res, `${status} ${status === 200 ? 'OK' : 'Error'}`, body);
    });
  })
  .any('/*', (res, req) => {
    if (isWsPath(req.getUrl())) answer(res, '400 Bad Request', '{"error":"UPGRADE_REQUIRED"}');
    else answer(res, '404 Not Found', '{"error":"NOT_FOUND"}');
  })
  .listen(opts.host, opts.port, (token) => {
    if (!token) {
      console.error(`uws peer: could not listen on ${opts.host}:${opts.port}`);
      process.exit(1);
    }
    listening = token;
    const port = uWS.us_socket_local_port(token);
    console.log(`uws peer listening on ws://${opts.host}:${port}/ws (metrics http://${opts.host}:${port}/metrics)`);
  });

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    if (listening) uWS.us_listen_socket_close(listening);
    for (const conn of open) conn.ws.end(1001, 'going away');
    setTimeout(() => process.exit(0), 200).unref();
  });
}
