#!/usr/bin/env node
// The bridge core on stdio: the same core and stand-in host as the Chromium page, run by Node
// as a `cmd:` candidate, so the two transports can be compared case by case.
//   dlconform run --candidate 'cmd:node bridge/test/stdio.js' --platform wechat
'use strict';

const fs = require('fs');
const path = require('path');
const readline = require('readline');
const { Agent, fetch } = require('undici');
const { createBridge } = require('../core/bridge.js');
const { createHost } = require('./host.js');
const { STARTED } = require('./options.js');

// One TLS agent per CA file: the harness's env.caCert is the only CA trusted.
const agents = new Map();
function agentFor(caCert) {
  if (!agents.has(caCert)) agents.set(caCert, new Agent({ connect: { ca: fs.readFileSync(caCert) } }));
  return agents.get(caCert);
}

const host = createHost({
  fetch: (url, init, env) => fetch(url, Object.assign({}, init, { dispatcher: agentFor(env.caCert) })),
  save: async (absolute, bytes) => {
    await fs.promises.mkdir(path.dirname(absolute), { recursive: true });
    await fs.promises.writeFile(absolute, bytes);
  },
});

// A connector over stdin/stdout: one JSON object per line.
function stdioConnector(url, handlers) {
  const input = readline.createInterface({ input: process.stdin });
  input.on('line', (line) => {
    if (line.trim()) handlers.onMessage(line);
  });
  // End of input: give running calls a moment to finish, then exit (PROTOCOL.md, End of input).
  input.on('close', () => setTimeout(() => process.exit(0), 2000));
  setTimeout(handlers.onOpen, 0);
  return {
    send: (text) => process.stdout.write(text + '\n'),
    close: () => process.exit(0),
  };
}

createBridge({
  url: 'stdio:',
  host,
  platformName: 'wechat',
  name: 'dlconform-bridge',
  started: STARTED,
  connect: stdioConnector,
  log: (text) => process.stderr.write(text + '\n'),
});
