#!/usr/bin/env node
// dlconform candidate (protocol v1, see harness/PROTOCOL.md): the Feishu/Lark Node SDK
// (@larksuiteoapi/node-sdk) running GET /open-apis/im/v1/files/:file_key for the platform
// `feishu-openapi`: `client.im.file.get({path: {file_key}})`, then the SDK's `writeFile`.
// The adapter forwards what the SDK hands back and nothing more: README.md lists every
// mapping from an SDK result or exception to the protocol's fields.
'use strict';

const fs = require('fs');
const path = require('path');
const https = require('https');
const readline = require('readline');

// The SDK (a 6 MB bundle) and its own axios, loaded once the harness's hello is answered, so a
// loaded machine's slow start-up does not run into the hello timeout.
let lark = null;
let axios = null;
function loadSdk() {
  if (!lark) {
    lark = require('@larksuiteoapi/node-sdk');
    // The SDK's own axios (its dependency), so the HTTP client is the one the SDK was built with.
    axios = require(require.resolve('axios', { paths: [path.dirname(require.resolve('@larksuiteoapi/node-sdk'))] }));
  }
}

const NAME = 'lark-node';
const VERSION = '0.1.0';
const SDK = '@larksuiteoapi/node-sdk';
const SDK_VERSION = require('@larksuiteoapi/node-sdk/package.json').version;
// Longest SDK log line kept: its error logs serialise whole request objects.
const MAX_LOG_LINE = 2000;

// ---- protocol plumbing -------------------------------------------------------------

const encodeNumber = (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? { $number: String(v) } : v);

function send(message) {
  process.stdout.write(JSON.stringify(message, encodeNumber) + '\n');
}

// What the harness's hello fixes for the run: the test CA and whether it takes `log` messages.
const run = { caPath: null, ca: null, logMessages: false };

// A log line: a `log` message of the call when the harness takes them, else stderr.
function log(call, message) {
  if (run.logMessages) send(call ? { type: 'log', call, message } : { type: 'log', message });
  else process.stderr.write((call ? `[${call}] ` : '') + message + '\n');
}

const calls = new Map(); // call id -> { done }

const input = readline.createInterface({ input: process.stdin });
input.on('line', (line) => {
  if (!line.trim()) return;
  let message;
  try {
    message = JSON.parse(line);
  } catch (err) {
    log(null, `not JSON from the harness: ${line}`);
    return;
  }
  switch (message.type) {
    case 'hello':
      if (typeof message.caCert === 'string') loadCa(message.caCert);
      run.logMessages = Array.isArray(message.features) && message.features.includes('log');
      send({
        type: 'hello',
        protocol: 1,
        name: NAME,
        version: VERSION,
        platforms: ['feishu-openapi'],
        apis: ['im.v1.file.get'],
        lacks: ['domain-list', 'sdk-version', 'host-events'],
        library: { name: SDK, version: SDK_VERSION },
        runtime: { name: 'node', version: process.versions.node },
      });
      setImmediate(loadSdk);
      break;
    case 'call':
      startCall(message);
      break;
    case 'shutdown':
      process.exit(0);
      break;
    default:
      // `abort` and `inject`: the SDK's call has no task to abort and no host events; unknown
      // message types are ignored (protocol versioning rule).
      break;
  }
});
input.on('close', () => {
  const wait = () => ([...calls.values()].every((c) => c.done) ? process.exit(0) : setTimeout(wait, 20));
  wait();
});

function loadCa(caPath) {
  if (run.caPath !== caPath) {
    run.ca = fs.readFileSync(caPath);
    run.caPath = caPath;
  }
  return run.ca;
}

function startCall(message) {
  if (message.platform !== 'feishu-openapi' || message.api !== 'im.v1.file.get') {
    send({ type: 'unsupported', call: message.call, reason: `${NAME} implements feishu-openapi im.v1.file.get only` });
    return;
  }
  const state = { done: false };
  calls.set(message.call, state);
  const finish = (event, data) => {
    if (state.done) return;
    state.done = true;
    send({ type: 'event', call: message.call, event, data });
    send({ type: 'event', call: message.call, event: 'complete', data });
  };
  fileGet(message, finish).catch((err) => {
    if (state.done) return;
    state.done = true;
    send({ type: 'error', call: message.call, message: String((err && err.stack) || err) });
  });
}

// ---- the SDK -----------------------------------------------------------------------

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
  return full.startsWith(base + path.sep) ? full : null;
}

// A token cache of one client: the SDK's default cache is process-wide (keyed by app id), and a
// case must not see another case's token.
class ClientCache {
  constructor() {
    this.values = new Map();
  }
  async get(key, options) {
    const entry = this.values.get(cacheKey(key, options));
    return entry && (!entry.expiredTime || entry.expiredTime > Date.now()) ? entry.value : undefined;
  }
  async set(key, value, expiredTime, options) {
    this.values.set(cacheKey(key, options), { value, expiredTime });
    return true;
  }
}
const cacheKey = (key, options) => `${(options && options.namespace) || ''}/${key.toString()}`;

// An HTTP client as the SDK's default one (its response interceptor hands back `data`, or
// `{data, headers}` when asked), trusting only the run's test CA and going through no proxy.
function httpInstance(ca) {
  const instance = axios.create({ httpsAgent: new https.Agent({ ca, keepAlive: false }), proxy: false });
  instance.interceptors.response.use((resp) => (resp.config['$return_headers'] ? { data: resp.data, headers: resp.headers } : resp.data));
  return instance;
}

// The logger the SDK writes through, tagged with the call.
function sdkLogger(call) {
  const line = (level) => (...parts) => log(call, `sdk ${level}: ${parts.map(describe).join(' ')}`.slice(0, MAX_LOG_LINE));
  return { error: line('error'), warn: line('warn'), info: line('info'), debug: line('debug'), trace: line('trace') };
}

function describe(part) {
  if (typeof part === 'string') return part;
  if (part instanceof Error) return part.message;
  try {
    return JSON.stringify(part);
  } catch (_) {
    return String(part);
  }
}

async function fileGet(message, finish) {
  const { call, env, args } = message;
  loadSdk();
  const target = typeof args.file_path === 'string' ? resolvePlatformPath(env.fs, args.file_path) : null;
  if (!target) {
    // The adapter's own refusal, before the SDK: nothing may be written outside the sandbox.
    return finish('fail', { code: -1, msg: `file_path ${JSON.stringify(args.file_path)} is outside the sandbox`, httpStatus: 0 });
  }
  const explicitToken = typeof args.tenant_access_token === 'string' ? args.tenant_access_token : null;
  const client = new lark.Client({
    appId: args.app_id,
    appSecret: args.app_secret,
    domain: args.base_url,
    httpInstance: httpInstance(loadCa(env.caCert)),
    cache: new ClientCache(),
    // A caller-supplied token replaces the SDK's own fetching, as the SDK documents.
    disableTokenCache: explicitToken !== null,
    loggerLevel: lark.LoggerLevel.warn,
    logger: sdkLogger(call),
  });
  const payload = { path: { file_key: args.file_key } };
  if (args.content_type_json === true) payload.headers = { 'Content-Type': 'application/json; charset=utf-8' };
  // A caller-supplied token, empty or not, goes to the SDK as a user would pass it.
  const options = explicitToken !== null ? lark.withTenantToken(explicitToken) : undefined;
  send({ type: 'started', call });
  let res;
  try {
    res = await client.im.file.get(payload, options);
    await res.writeFile(target);
  } catch (err) {
    return finish('fail', failOf(err));
  }
  const data = { code: 0, filePath: args.file_path, size: fs.statSync(target).size };
  const disposition = res.headers && res.headers['content-disposition'];
  if (typeof disposition === 'string') data.contentDisposition = disposition;
  finish('success', data);
}

// The fail object from what the SDK threw: the answer's status, and the server's `{code, msg}`
// only where the thrown error holds them as an object (a token answer axios parsed). A
// download's error answer is an unread stream inside the AxiosError: the SDK surfaces no code
// from it, so neither does the adapter (code -1, the protocol's "no server code"). Only fields
// the error holds are set; nothing is read on the SDK's behalf.
function failOf(err) {
  const response = err && err.response;
  if (!response) {
    const data = { code: -1, msg: describeError(err) };
    // An axios error with no answer: the request got none, which the protocol writes as status 0.
    if (axios.isAxiosError(err)) data.httpStatus = 0;
    return data;
  }
  const body = response.data && typeof response.data === 'object' && typeof response.data.pipe !== 'function' ? response.data : null;
  const data = { httpStatus: response.status };
  if (body && typeof body.code === 'number' && body.code !== 0) {
    data.code = body.code;
    data.msg = typeof body.msg === 'string' ? body.msg : describeError(err);
  } else {
    data.code = -1;
    data.msg = describeError(err);
  }
  return data;
}

function describeError(err) {
  if (!err) return 'unknown error';
  return err.code && !String(err.message).includes(err.code) ? `${err.message} (${err.code})` : String(err.message || err);
}

