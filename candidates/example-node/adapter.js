#!/usr/bin/env node
// Example dlconform candidate (protocol v1, see harness/PROTOCOL.md): a small but real
// wx.downloadFile for the wechat platform on Node 20, with no dependencies.
// Everything else is answered `unsupported`. Copy this file to start an adapter for your
// own runtime: replace `downloadFile` with a call into it, keep the message plumbing.
'use strict';

const fs = require('fs');
const path = require('path');
const http = require('http');
const https = require('https');
const readline = require('readline');
const crypto = require('crypto');

const NAME = 'example-node';
const VERSION = '0.1.0';
const MAX_REDIRECTS = 5;

// ---- protocol plumbing -------------------------------------------------------------

// Numbers JSON cannot carry travel as {"$number": "Infinity"} (PROTOCOL.md), not as null.
const encodeNumber = (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? { $number: String(v) } : v);

function send(message) {
  process.stdout.write(JSON.stringify(message, encodeNumber) + '\n');
}

function log(...parts) {
  process.stderr.write(parts.join(' ') + '\n');
}

const calls = new Map(); // call id -> { abort(), done }
// What the harness's hello fixes for the whole run (optional fields): the test CA, read once.
const run = { caPath: null, ca: null };

const input = readline.createInterface({ input: process.stdin });
input.on('line', (line) => {
  if (!line.trim()) return;
  let message;
  try {
    message = JSON.parse(line);
  } catch (err) {
    log('not JSON from the harness:', line);
    return;
  }
  switch (message.type) {
    case 'hello':
      if (typeof message.caCert === 'string') {
        run.caPath = message.caCert;
        run.ca = fs.readFileSync(message.caCert);
      }
      send({ type: 'hello', protocol: 1, name: NAME, version: VERSION, platforms: ['wechat'], apis: ['downloadFile'] });
      break;
    case 'call':
      startCall(message);
      break;
    case 'abort': {
      const call = calls.get(message.call);
      if (call && !call.done) call.abort();
      break;
    }
    case 'off': {
      // The task's offProgressUpdate / offHeadersReceived: its one listener per event goes.
      const call = calls.get(message.call);
      if (call && message.event in call.listening) call.listening[message.event] = false;
      break;
    }
    case 'inject': {
      const call = calls.get(message.call);
      if (call && !call.done && message.event === 'offline') call.fail(600003, 'network interrupted');
      break;
    }
    case 'shutdown':
      process.exit(0);
      break;
    default:
      // Unknown message types are ignored (protocol versioning rule).
      break;
  }
});
// EOF: let running calls finish, then exit 0.
input.on('close', () => {
  const wait = () => ([...calls.values()].every((c) => c.done) ? process.exit(0) : setTimeout(wait, 20));
  wait();
});

function startCall(message) {
  if (message.platform !== 'wechat' || message.api !== 'downloadFile') {
    send({ type: 'unsupported', call: message.call, reason: `${NAME} implements wechat downloadFile only` });
    return;
  }
  try {
    downloadFile(message);
  } catch (err) {
    send({ type: 'error', call: message.call, message: String((err && err.stack) || err) });
  }
}

// ---- wx.downloadFile ---------------------------------------------------------------

function versionAtLeast(version, wanted) {
  const a = String(version).split('.').map(Number);
  const b = wanted.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] || 0;
    const y = b[i] || 0;
    if (x !== y) return x > y;
  }
  return true;
}

// Platform path -> absolute path inside env.fs, or null when it leaves its folder.
function resolvePlatformPath(fsEnv, platformPath) {
  let base;
  let rest;
  if (platformPath.startsWith(fsEnv.userPrefix)) {
    base = fsEnv.user;
    rest = platformPath.slice(fsEnv.userPrefix.length);
  } else if (platformPath.startsWith(fsEnv.tempPrefix)) {
    base = fsEnv.temp;
    rest = platformPath.slice(fsEnv.tempPrefix.length);
  } else {
    return null;
  }
  const full = path.resolve(base, rest);
  if (!full.startsWith(base + path.sep)) return null;
  return full;
}

function downloadFile(message) {
  const { call: id, env, args } = message;
  const started = Date.now();
  // The listeners a developer registers with onProgressUpdate / onHeadersReceived.
  const state = { done: false, request: null, partial: null, timer: null, listening: { progress: true, headersReceived: true } };
  calls.set(id, state);
  // The API call starts here: the harness measures the call's times from this mark.
  send({ type: 'started', call: id });

  const finish = (event, data) => {
    if (state.done) return;
    state.done = true;
    clearTimeout(state.timer);
    if (state.request) state.request.destroy();
    if (event === 'fail' && state.partial) fs.rm(state.partial, { force: true }, () => {});
    send({ type: 'event', call: id, event, data });
    send({ type: 'event', call: id, event: 'complete', data });
  };
  const fail = (errno, reason) => finish('fail', { errMsg: `downloadFile:fail ${reason}`, errno });
  state.fail = fail;
  state.abort = () => fail(600003, 'abort');

  // Arguments.
  if (typeof args.url !== 'string') return fail(600009, 'parameter error: url should be String');
  let url;
  try {
    url = new URL(args.url);
  } catch (err) {
    return fail(600009, 'invalid url');
  }
  const schemes = env.release ? ['https:'] : ['https:', 'http:'];
  if (!schemes.includes(url.protocol)) return fail(600009, `url scheme not allowed: ${url.protocol}`);
  if (env.domains && !env.domains.includes(url.hostname) && !env.domains.includes(url.host)) {
    return fail(600002, 'url not in domain list');
  }
  let target = null;
  if (typeof args.filePath === 'string' && versionAtLeast(env.sdkVersion, '1.8.0')) {
    target = resolvePlatformPath(env.fs, args.filePath);
    if (!target || !target.startsWith(env.fs.user + path.sep)) {
      return fail(600001, `permission denied, open "${args.filePath}"`);
    }
    if (!fs.existsSync(path.dirname(target))) {
      return fail(600001, `no such file or directory "${args.filePath}"`);
    }
  }
  const tempName = crypto.randomBytes(8).toString('hex') + path.extname(url.pathname);
  const finalPath = target || path.join(env.fs.temp, tempName);
  const timeout = versionAtLeast(env.sdkVersion, '2.10.0') && typeof args.timeout === 'number' ? args.timeout : 60000;
  state.timer = setTimeout(() => fail(600004, 'timeout'), timeout);
  const profileWanted = args.enableProfile !== false && ['android', 'ios'].includes(env.os) && versionAtLeast(env.sdkVersion, '2.10.4');
  const ca = env.caCert === run.caPath && run.ca ? run.ca : fs.readFileSync(env.caCert);

  const headers = Object.assign({}, args.header || {});
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() === 'referer') delete headers[name];
  }

  const get = (current, hops) => {
    const client = current.protocol === 'https:' ? https : http;
    const request = client.get(current, { headers, ca, servername: current.hostname }, (response) => {
      const status = response.statusCode || 0;
      if ([301, 302, 303, 307, 308].includes(status) && response.headers.location) {
        response.resume();
        if (hops >= MAX_REDIRECTS) return fail(600000, 'too many redirects');
        return get(new URL(response.headers.location, current), hops + 1);
      }
      if (state.listening.headersReceived) send({ type: 'event', call: id, event: 'headersReceived', data: { header: response.headers } });
      const total = Number(response.headers['content-length'] || 0);
      const partial = finalPath + '.part';
      state.partial = partial;
      const out = fs.createWriteStream(partial);
      let written = 0;
      let lastPercent = -1;
      response.on('data', (chunk) => {
        if (state.done) return;
        out.write(chunk);
        written += chunk.length;
        const percent = total > 0 ? Math.floor((written * 100) / total) : 0;
        if (percent !== lastPercent && state.listening.progress) {
          lastPercent = percent;
          send({ type: 'event', call: id, event: 'progress', data: { progress: percent, totalBytesWritten: written, totalBytesExpectedToWrite: total } });
        }
      });
      response.on('aborted', () => fail(600003, 'connection closed'));
      response.on('error', (err) => fail(600003, err.message));
      response.on('end', () => {
        if (state.done) return;
        if (!response.complete || (total > 0 && written !== total)) return fail(600003, 'body incomplete');
        out.end(() => {
          if (state.done) return;
          fs.rename(partial, finalPath, (err) => {
            if (err) return fail(600001, err.message);
            state.partial = null;
            const data = { statusCode: status, errMsg: 'downloadFile:ok' };
            if (target) data.filePath = args.filePath;
            else data.tempFilePath = env.fs.tempPrefix + tempName;
            if (profileWanted) data.profile = { invokeStart: started, fetchStart: started, responseEnd: Date.now(), protocol: 'http1.1' };
            finish('success', data);
          });
        });
      });
    });
    request.on('error', (err) => {
      const tls = /certificate|self[- ]signed|CERT|altname/i.test(err.message + (err.code || ''));
      fail(tls ? 600001 : 600000, err.message);
    });
    state.request = request;
  };
  get(url, 0);
}
