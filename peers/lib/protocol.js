// What the JavaScript peers share: options, the HS256 check at the upgrade, the benchmark subset of Fanwire's
// protocol and the metrics the bench client reads. Each peer supplies its transport (send, subscribe, publish)
// the way an application on that server would write it.
'use strict';

const crypto = require('node:crypto');

const LEEWAY_S = 30;

/** --host, --port, --secret, --api-key (or PEER_SECRET, PEER_API_KEY). */
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

/** A function from a compact JWT to its sub when its HS256 signature and times hold, else null. */
function verifier(secret) {
  const key = secret.startsWith('base64:') ? Buffer.from(secret.slice(7), 'base64') : Buffer.from(secret);
  return (token) => {
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
  };
}

/**
 * The token of an upgrade request and the subprotocol to select, or null: Authorization: Bearer, the cookie
 * access_token, or the offered subprotocol bearer.<token>. {@code header(name)} reads a lower-case header.
 */
function tokenOf(header) {
  const auth = header('authorization');
  if (auth && auth.startsWith('Bearer ')) return { token: auth.slice(7).trim(), protocol: null };
  for (const cookie of (header('cookie') || '').split(';')) {
    const [name, ...rest] = cookie.trim().split('=');
    if (name === 'access_token') return { token: rest.join('='), protocol: null };
  }
  const offered = (header('sec-websocket-protocol') || '').split(',').map((p) => p.trim());
  const bearer = offered.find((p) => p.startsWith('bearer.'));
  if (bearer) return { token: bearer.slice(7), protocol: offered.includes('fanwire.v1') ? 'fanwire.v1' : bearer };
  return null;
}

function isWsPath(path) {
  return path === '/ws' || path === '/wse';
}

/**
 * The protocol of one peer process. {@code transport} is
 *   { send(conn, text), subscribe(conn, topic), unsubscribe(conn, topic), publish(topic, text) -> deliveries,
 *     connections() -> count }.
 * A connection object carries {@code seq} and {@code user}; the peer creates it and calls {@link opened}.
 */
function peer(transport) {
  const counts = { messagesIn: 0, bytesIn: 0, messagesOut: 0, deliveries: 0, publications: 0, accepted: 0, refused: 0 };
  /** topic -> { epoch, offset } */
  const streams = new Map();

  function stream(name) {
    let s = streams.get(name);
    if (!s) {
      s = { epoch: crypto.randomBytes(4).toString('hex'), offset: 0 };
      streams.set(name, s);
    }
    return s;
  }

  function send(conn, type, payload, cid, category = 'WSE') {
    const message = { c: category, t: type, p: payload, id: crypto.randomUUID(), ts: new Date().toISOString(), seq: ++conn.seq };
    if (cid !== undefined && cid !== null) message.cid = cid;
    message.v = 1;
    transport.send(conn, JSON.stringify(message));
    counts.messagesOut++;
  }

  /** Stamps one publication, encodes it once and hands it to the transport's fan-out. */
  function publish(topic, type, data) {
    const s = stream(topic);
    s.offset++;
    counts.publications++;
    const frame = JSON.stringify({ tp: topic, e: s.epoch, o: s.offset, c: 'U', t: type, p: data, v: 1 });
    counts.deliveries += transport.publish(topic, frame);
    return { epoch: s.epoch, offset: s.offset };
  }

  function opened(conn, user) {
    conn.seq = 0;
    conn.user = user;
    send(conn, 'server_ready', {
      message: 'Connection established',
      details: {
        version: 1,
        features: { compression: false, msgpack: false, encryption: false, batch_messages: false },
        connection_id: crypto.randomUUID(),
        server_time: new Date().toISOString(),
        user_id: user,
      },
    });
  }

  /** One inbound frame: {@code data} is a string or a Buffer/Uint8Array of UTF-8 JSON. */
  function message(conn, data) {
    counts.messagesIn++;
    counts.bytesIn += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    let m;
    try {
      m = JSON.parse(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.length).toString());
    } catch {
      send(conn, 'error', { code: 'INVALID_MESSAGE', message: 'not JSON', recoverable: true });
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
        send(conn, 'PONG', pong, m.cid);
        break;
      }
      case 'echo':
        send(conn, 'echo', p, m.cid, 'U');
        break;
      case 'client_hello':
        send(conn, 'server_hello', { version: 1, features: { compression: false, msgpack: false } }, m.cid);
        break;
      case 'subscription':
      case 'subscription_update': {
        const names = Array.isArray(p.topics) ? p.topics.filter((t) => typeof t === 'string' && t.length > 0) : [];
        const recovery = {};
        for (const name of names) {
          if (p.action === 'unsubscribe') {
            transport.unsubscribe(conn, name);
          } else {
            const s = stream(name);
            transport.subscribe(conn, name);
            recovery[name] = { epoch: s.epoch, offset: s.offset };
          }
        }
        send(conn, 'subscription_update', { success_topics: names, failed_topics: [], recovery }, m.cid);
        break;
      }
      case 'publish': {
        if (typeof p.topic !== 'string' || p.topic.length === 0) {
          send(conn, 'error', { code: 'INVALID_MESSAGE', message: 'publish: topic missing', recoverable: false }, m.cid);
          break;
        }
        const stamp = publish(p.topic, p.type || 'publication', p.data || {});
        if (m.cid !== undefined) send(conn, 'publish_ack', { topic: p.topic, epoch: stamp.epoch, offset: stamp.offset }, m.cid);
        break;
      }
      default:
        // pong, PONG and application messages: counted only, as Fanwire's count application does.
        break;
    }
  }

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
      ['fanwire_connections_active', 'gauge', transport.connections()],
      ['fanwire_connections_accepted_total', 'counter', counts.accepted],
      ['fanwire_handshake_refusals_total', 'counter', counts.refused],
      ['process_resident_memory_bytes', 'gauge', mem.rss],
      ['process_cpu_seconds_total', 'counter', (cpu.user + cpu.system) / 1e6],
    ];
    return lines.map(([name, type, value]) => `# TYPE ${name} ${type}\n${name} ${value}\n`).join('');
  }

  /**
   * POST /api/publish: {@code [status, body]} for a request with the given API key header and body text.
   */
  function apiPublish(apiKey, givenKey, method, body) {
    if (!apiKey || givenKey !== apiKey) return [401, '{"error":"AUTH_FAILED"}'];
    if (method !== 'POST') return [405, '{"error":"METHOD_NOT_ALLOWED"}'];
    let parsed;
    try {
      parsed = JSON.parse(body);
    } catch {
      return [400, '{"error":"INVALID_MESSAGE"}'];
    }
    if (!parsed || typeof parsed.topic !== 'string' || parsed.topic.length === 0) return [400, '{"error":"INVALID_MESSAGE"}'];
    return [200, JSON.stringify(publish(parsed.topic, parsed.type || 'publication', parsed.data || {}))];
  }

  return { counts, opened, message, metrics, apiPublish };
}

module.exports = { options, verifier, tokenOf, isWsPath, peer };
