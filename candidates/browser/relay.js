// A loopback SOCKS5 relay, one per browser context: the context's every connection passes
// through it as plain bytes (TLS stays end to end between Chromium and the mock server), so the
// driver can take the context's link away when the harness injects `offline`: `cut()` resets
// every connection of the context at once, in flight or idle, and refuses new ones. Chromium
// then fails the requests on those connections itself (net::ERR_CONNECTION_RESET...), as it
// fails them when a link goes down; nothing is made up for the page. See README.md.
'use strict';

const net = require('net');
const { Worker, isMainThread, parentPort } = require('worker_threads');

/** Start a relay on 127.0.0.1 (any free port). Resolves with `{port, url, cut, close, stats}`. */
function startRelay() {
  const sockets = new Set(); // both ends of every tunnel
  const clients = new Set(); // the browser's end: one per connection
  let offline = false;
  const stats = { connections: 0, cut: 0, refused: 0 };
  // noDelay: Nagle's algorithm on a relay would hold every small write (TLS handshakes, HTTP/2
  // frames) for an ACK, delaying the call by tens of milliseconds a round trip.
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    if (offline) {
      stats.refused += 1;
      client.resetAndDestroy();
      return;
    }
    stats.connections += 1;
    track(client);
    clients.add(client);
    client.on('close', () => clients.delete(client));
    handshake(client, track).catch(() => client.destroy());
  });
  function track(socket) {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  }
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        port,
        url: `socks5://127.0.0.1:${port}`,
        stats,
        /** Take the link away: reset every connection, refuse new ones. The number cut. */
        cut() {
          offline = true;
          const n = clients.size;
          for (const socket of sockets) socket.resetAndDestroy();
          stats.cut += n;
          return n;
        },
        close() {
          offline = true;
          for (const socket of sockets) socket.destroy();
          return new Promise((done) => server.close(() => done()));
        },
      });
    });
  });
}

/**
 * Read exactly `n` bytes from `socket`. The next read is attached in the same turn as this one
 * resolves (an await continuation runs before the next socket event), so no byte is lost in
 * between; what came past `n` stays in `state.buffer`. A socket that ends, fails or is reset
 * (a cut) during the handshake rejects the read, so no handshake is left waiting.
 */
function read(socket, n, state) {
  return new Promise((resolve, reject) => {
    const done = () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
    };
    const attempt = () => {
      if (state.buffer.length >= n) {
        const out = state.buffer.subarray(0, n);
        state.buffer = state.buffer.subarray(n);
        done();
        resolve(out);
      }
    };
    const onData = (chunk) => {
      state.buffer = Buffer.concat([state.buffer, chunk]);
      attempt();
    };
    const onEnd = () => {
      done();
      reject(new Error('socks client closed during the handshake'));
    };
    if (socket.destroyed) return onEnd();
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    attempt();
  });
}

/** SOCKS5 without authentication, CONNECT only (RFC 1928); then pipe both ways. */
async function handshake(client, track) {
  const state = { buffer: Buffer.alloc(0) };
  const [version, methods] = await read(client, 2, state);
  if (version !== 5) throw new Error('not socks5');
  await read(client, methods, state);
  client.write(Buffer.from([5, 0]));
  const [, command, , type] = await read(client, 4, state);
  let host;
  if (type === 1) host = [...(await read(client, 4, state))].join('.');
  else if (type === 3) host = (await read(client, (await read(client, 1, state))[0], state)).toString('latin1');
  else if (type === 4) host = (await read(client, 16, state)).toString('hex').match(/.{4}/g).join(':');
  else throw new Error('bad address type');
  const port = (await read(client, 2, state)).readUInt16BE(0);
  if (command !== 1) {
    client.end(Buffer.from([5, 7, 0, 1, 0, 0, 0, 0, 0, 0]));
    return;
  }
  client.pause();
  if (client.destroyed) return; // cut while the request was read
  const upstream = net.connect({ host, port, allowHalfOpen: true, noDelay: true });
  track(upstream);
  let connected = false;
  // The browser gave up (or the link was cut) before the mock server answered: no tunnel is
  // left half made.
  const abandon = () => {
    if (!connected) upstream.destroy();
  };
  client.once('close', abandon);
  upstream.once('connect', () => {
    connected = true;
    client.off('close', abandon);
    if (client.destroyed) return void upstream.destroy();
    client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
    if (state.buffer.length) upstream.write(state.buffer);
    pipe(client, upstream);
    pipe(upstream, client);
    client.resume();
  });
  upstream.once('error', (err) => {
    // Once connected, an error is the tunnel's: pipe() passes it on as a reset.
    if (connected) return;
    // Refused or unreachable: the SOCKS reply says so (5 = refused, 4 = unreachable).
    const code = err.code === 'ECONNREFUSED' ? 5 : 4;
    if (!client.destroyed) client.end(Buffer.from([5, code, 0, 1, 0, 0, 0, 0, 0, 0]));
  });
}

/** Bytes from `from` to `to` (stream backpressure), a FIN as a FIN, a reset as a reset. */
function pipe(from, to) {
  from.pipe(to);
  from.on('error', () => {
    if (!to.destroyed) to.resetAndDestroy();
  });
  from.on('close', (hadError) => {
    if (hadError && !to.destroyed) to.resetAndDestroy();
  });
}

/**
 * The relays in a worker thread of their own, so that the bytes they carry never hold up the
 * driver's event loop (the page's events, the harness's messages) when cases run side by side.
 * `startRelay()` there, with the same `{port, url, cut, close, stats}`, `cut` and `close` async.
 */
class RelayHost {
  constructor() {
    this.worker = null;
    this.next = 0;
    this.pending = new Map();
  }

  request(message) {
    if (!this.worker) {
      this.worker = new Worker(__filename);
      this.worker.unref();
      this.worker.on('message', ({ id, result, error }) => {
        const pending = this.pending.get(id);
        this.pending.delete(id);
        if (pending) (error ? pending.reject(new Error(error)) : pending.resolve(result));
      });
      this.worker.on('error', (err) => {
        for (const pending of this.pending.values()) pending.reject(err);
        this.pending.clear();
        this.worker = null;
      });
    }
    const id = (this.next += 1);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(Object.assign({ id }, message));
    });
  }

  async startRelay() {
    const { relay, port, url } = await this.request({ op: 'start' });
    return {
      port,
      url,
      cut: () => this.request({ op: 'cut', relay }),
      close: () => this.request({ op: 'close', relay }).catch(() => {}),
      stats: () => this.request({ op: 'stats', relay }),
    };
  }
}

if (!isMainThread && parentPort) {
  const relays = new Map();
  let next = 0;
  parentPort.on('message', async ({ id, op, relay }) => {
    try {
      let result;
      if (op === 'start') {
        const started = await startRelay();
        next += 1;
        relays.set(next, started);
        result = { relay: next, port: started.port, url: started.url };
      } else if (op === 'cut') {
        result = relays.get(relay).cut();
      } else if (op === 'stats') {
        result = relays.get(relay).stats;
      } else if (op === 'close') {
        const it = relays.get(relay);
        relays.delete(relay);
        if (it) await it.close();
      }
      parentPort.postMessage({ id, result });
    } catch (err) {
      parentPort.postMessage({ id, error: String((err && err.message) || err) });
    }
  });
}

module.exports = { startRelay, RelayHost };
