// The per-context SOCKS5 relay (relay.js) the driver cuts for `inject offline`: bytes pass
// unchanged both ways, a server's FIN reaches the client as a FIN, and `cut()` resets a
// connection in flight (the server sees its client gone) and refuses new ones; a refused upstream is
// a SOCKS refusal, and a handshake cut half-way is dropped.
//   node --test candidates/browser/test/relay.test.js
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const net = require('net');
const { startRelay } = require('../relay.js');

/**
 * Open a SOCKS5 CONNECT to 127.0.0.1:port through the relay; resolves with the socket, whose
 * `early` holds what the server sent in the same read as the SOCKS reply.
 */
function connect(relay, port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(relay.port, '127.0.0.1');
    let reply = Buffer.alloc(0);
    socket.once('error', reject);
    socket.once('connect', () => socket.write(Buffer.from([5, 1, 0])));
    const onData = (chunk) => {
      reply = Buffer.concat([reply, chunk]);
      if (reply.length === 2) {
        const request = Buffer.from([5, 1, 0, 1, 127, 0, 0, 1, 0, 0]);
        request.writeUInt16BE(port, 8);
        socket.write(request);
      } else if (reply.length >= 12) {
        socket.off('data', onData);
        if (reply[3] !== 0) return reject(new Error('socks reply ' + reply[3]));
        socket.early = reply.subarray(12);
        resolve(socket);
      }
    };
    socket.on('data', onData);
  });
}

/** A TCP server calling `onSocket` for each connection; resolves with {server, port}. */
function serve(onSocket) {
  return new Promise((resolve) => {
    const server = net.createServer(onSocket);
    server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port }));
  });
}

test('bytes pass unchanged both ways and a FIN stays a FIN', async () => {
  const { server, port } = await serve((s) => {
    s.once('data', (d) => s.end(Buffer.concat([Buffer.from('echo:'), d])));
  });
  const relay = await startRelay();
  const socket = await connect(relay, port);
  const got = [socket.early];
  socket.on('data', (d) => got.push(d));
  const ended = new Promise((resolve) => socket.on('end', resolve));
  socket.write(Buffer.from([0, 1, 2, 255]));
  await ended;
  assert.deepStrictEqual(Buffer.concat(got), Buffer.concat([Buffer.from('echo:'), Buffer.from([0, 1, 2, 255])]));
  socket.destroy();
  await relay.close();
  server.close();
});

test('cut() resets the connection in flight and refuses new ones', async () => {
  let serverClosed;
  const closed = new Promise((resolve) => { serverClosed = resolve; });
  const { server, port } = await serve((s) => {
    s.on('error', () => {});
    s.on('close', serverClosed);
    s.write('x'.repeat(1000));
  });
  const relay = await startRelay();
  const socket = await connect(relay, port);
  if (!socket.early.length) await new Promise((resolve) => socket.once('data', resolve));
  const error = new Promise((resolve) => socket.on('error', resolve));
  assert.strictEqual(relay.cut(), 1);
  assert.strictEqual((await error).code, 'ECONNRESET');
  await closed; // the server's side is gone too
  // A new connection after the cut is reset before any SOCKS reply.
  await assert.rejects(connect(relay, port));
  assert.strictEqual(relay.stats.refused, 1);
  await relay.close();
  server.close();
});

test('a refused upstream is a SOCKS refusal, and a handshake cut half-way is dropped', async () => {
  const { server, port } = await serve(() => {});
  await new Promise((resolve) => server.close(resolve)); // nothing listens on `port` now
  const relay = await startRelay();
  await assert.rejects(connect(relay, port), /socks reply 5/);
  // A client that sends its greeting and is reset: the relay forgets it, and close() returns.
  const half = net.connect(relay.port, '127.0.0.1');
  half.on('error', () => {});
  await new Promise((resolve) => half.once('connect', resolve));
  half.write(Buffer.from([5, 1]));
  await new Promise((resolve) => setTimeout(resolve, 50));
  half.resetAndDestroy();
  await new Promise((resolve) => setTimeout(resolve, 50));
  await relay.close();
});
