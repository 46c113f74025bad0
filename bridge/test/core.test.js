// The bridge core's message handling, with a scripted connector and host (node --test).
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { createBridge, encode, miniProgramConnector } = require('../core/bridge.js');

// A connector that records what the bridge sends and lets the test speak as the harness.
function fakeHarness() {
  const sent = [];
  let handlers = null;
  let connects = 0;
  let closed = 0;
  return {
    sent,
    get connects() { return connects; },
    get closed() { return closed; },
    connect(url, h) {
      connects += 1;
      handlers = h;
      h.onOpen();
      return { send: (text) => sent.push(JSON.parse(text)), close: () => { closed += 1; } };
    },
    say(message) { handlers.onMessage(JSON.stringify(message)); },
    drop() { handlers.onClose('dropped'); },
    of(call) { return sent.filter((m) => m.call === call); },
  };
}

function call(id, args, extra) {
  return Object.assign({ type: 'call', call: id, case: 'wechat/x', platform: 'wechat', api: 'downloadFile',
    env: { fs: {} }, args: args || { url: 'https://127.0.0.1/a' } }, extra || {});
}

function bridge(harness, host, more) {
  return createBridge(Object.assign({ url: 'ws://test', host, platformName: 'wechat',
    connect: harness.connect.bind(harness), reconnectMs: 0 }, more || {}));
}

test('answers hello with the host APIs it finds', () => {
  const harness = fakeHarness();
  bridge(harness, { downloadFile() {}, uploadFile: 'not a function' });
  harness.say({ type: 'hello', protocol: 1, caCert: '/x', origins: { http: 'http://h' } });
  assert.deepStrictEqual(harness.sent, [{ type: 'hello', protocol: 1, name: 'dlconform-bridge',
    version: '0.1.0', platforms: ['wechat'], apis: ['downloadFile'] }]);
});

test('sends started before events the host fires while it is being invoked', () => {
  const harness = fakeHarness();
  const host = { downloadFile(o) { o.fail({ errMsg: 'downloadFile:fail bad' }); o.complete({ errMsg: 'downloadFile:fail bad' }); return {}; } };
  bridge(harness, host);
  harness.say(call('c1'));
  assert.deepStrictEqual(harness.of('c1').map((m) => m.type + ':' + (m.event || '')), ['started:', 'event:fail', 'event:complete']);
});

test('leaves out started when asked to', () => {
  const harness = fakeHarness();
  bridge(harness, { downloadFile(o) { o.complete({}); return {}; } }, { started: false });
  harness.say(call('c1'));
  assert.deepStrictEqual(harness.of('c1').map((m) => m.type), ['event']);
});

test('forwards callbacks as received, non-finite numbers spelled out', () => {
  const harness = fakeHarness();
  let task;
  const host = {
    downloadFile(o, env) {
      assert.deepStrictEqual(env, { fs: {} });
      assert.strictEqual(o.url, 'https://127.0.0.1/a');
      task = { listeners: {}, onProgressUpdate(f) { this.listeners.p = f; }, onHeadersReceived(f) { this.listeners.h = f; } };
      setTimeout(() => {
        task.listeners.h({ header: { A: '1' } });
        task.listeners.p({ progress: Infinity, totalBytesWritten: NaN, totalBytesExpectedToWrite: -Infinity });
        o.success({ statusCode: '200', errMsg: 'downloadFile:ok', extra: undefined });
        o.complete({ statusCode: '200', errMsg: 'downloadFile:ok' });
      }, 0);
      return task;
    },
  };
  bridge(harness, host, { started: false });
  harness.say(call('c1'));
  return new Promise((resolve) => setTimeout(resolve, 10)).then(() => {
    assert.deepStrictEqual(harness.of('c1'), [
      { type: 'event', call: 'c1', event: 'headersReceived', data: { header: { A: '1' } } },
      { type: 'event', call: 'c1', event: 'progress', data: { progress: { $number: 'Infinity' },
        totalBytesWritten: { $number: 'NaN' }, totalBytesExpectedToWrite: { $number: '-Infinity' } } },
      { type: 'event', call: 'c1', event: 'success', data: { statusCode: '200', errMsg: 'downloadFile:ok' } },
      { type: 'event', call: 'c1', event: 'complete', data: { statusCode: '200', errMsg: 'downloadFile:ok' } },
    ]);
  });
});

test('abort calls task.abort(); a task method that throws is an error naming it', () => {
  const harness = fakeHarness();
  let aborted = 0;
  const host = {
    downloadFile(o) {
      if (o.url === 'throws') return { abort() { throw new Error('boom'); } };
      if (o.url === 'bad-listener') return { abort() {}, onProgressUpdate() { throw new Error('nope'); } };
      return { abort() { aborted += 1; } };
    },
  };
  bridge(harness, host, { started: false });
  harness.say(call('ok'));
  harness.say({ type: 'abort', call: 'ok' });
  assert.strictEqual(aborted, 1);
  harness.say(call('t', { url: 'throws' }));
  harness.say({ type: 'abort', call: 't' });
  assert.deepStrictEqual(harness.of('t'), [{ type: 'error', call: 't', message: 'task.abort() threw: boom' }]);
  harness.say(call('l', { url: 'bad-listener' }));
  assert.deepStrictEqual(harness.of('l'), [{ type: 'error', call: 'l', message: 'task.onProgressUpdate() threw: nope' }]);
  harness.say({ type: 'abort', call: 'unknown' });
  assert.strictEqual(harness.of('unknown').length, 0);
});

test('abort after complete still reaches the task, and what the host then does is forwarded', () => {
  const harness = fakeHarness();
  let options = null;
  let aborted = 0;
  const host = {
    downloadFile(o) {
      options = o;
      // A host whose abort() on a finished task fails the call again.
      return { abort() { aborted += 1; o.fail({ errMsg: 'downloadFile:fail abort' }); o.complete({ errMsg: 'downloadFile:fail abort' }); } };
    },
  };
  bridge(harness, host, { started: false });
  harness.say(call('late'));
  options.success({ errMsg: 'downloadFile:ok' });
  options.complete({ errMsg: 'downloadFile:ok' });
  harness.say({ type: 'abort', call: 'late' });
  assert.strictEqual(aborted, 1);
  assert.deepStrictEqual(harness.of('late').map((m) => m.event), ['success', 'complete', 'fail', 'complete']);
});

test('off calls the task off method with the listener the bridge added, or none when all', () => {
  const harness = fakeHarness();
  const calls = [];
  const listeners = { progress: [], headersReceived: [] };
  const host = {
    downloadFile() {
      return {
        abort() {},
        onProgressUpdate(fn) { listeners.progress.push(fn); },
        offProgressUpdate(fn) { calls.push(['offProgressUpdate', fn]); listeners.progress = listeners.progress.filter((l) => l !== fn); },
        onHeadersReceived(fn) { listeners.headersReceived.push(fn); },
        offHeadersReceived(...args) { calls.push(['offHeadersReceived', ...args]); listeners.headersReceived = []; },
      };
    },
  };
  bridge(harness, host, { started: false });
  harness.say(call('o'));
  const progress = listeners.progress[0];
  progress({ progress: 10 });
  harness.say({ type: 'off', call: 'o', event: 'progress' });
  assert.deepStrictEqual(calls, [['offProgressUpdate', progress]]);
  assert.strictEqual(listeners.progress.length, 0);
  harness.say({ type: 'off', call: 'o', event: 'headersReceived', all: true });
  assert.deepStrictEqual(calls[1], ['offHeadersReceived']);
  // What a host still delivers to a listener it kept is forwarded, not filtered.
  progress({ progress: 20 });
  assert.deepStrictEqual(harness.of('o').map((m) => m.data && m.data.progress), [10, 20]);
  // A task without the method: an error naming it.
  const bare = { downloadFile() { return { abort() {} }; } };
  const other = fakeHarness();
  bridge(other, bare, { started: false });
  other.say(call('b'));
  other.say({ type: 'off', call: 'b', event: 'progress' });
  assert.deepStrictEqual(other.of('b'), [{ type: 'error', call: 'b', message: 'the task has no offProgressUpdate()' }]);
});

test('a host API that throws is an error; other platforms and APIs are unsupported', () => {
  const harness = fakeHarness();
  bridge(harness, { downloadFile() { throw new Error('no'); } });
  harness.say(call('x'));
  harness.say(call('p', null, { platform: 'douyin' }));
  harness.say(call('u', null, { api: 'uploadFile' }));
  assert.deepStrictEqual(harness.of('x'), [{ type: 'error', call: 'x', message: 'host.downloadFile() threw: no' }]);
  assert.strictEqual(harness.of('p')[0].type, 'unsupported');
  assert.strictEqual(harness.of('u')[0].type, 'unsupported');
});

test('reconnects after a drop, stops for good on shutdown; unknown messages are ignored', async () => {
  const harness = fakeHarness();
  bridge(harness, { downloadFile() { return {}; } });
  harness.say({ type: 'something-new', call: 'z' });
  assert.strictEqual(harness.sent.length, 0);
  harness.drop();
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.strictEqual(harness.connects, 2);
  harness.say({ type: 'shutdown' });
  assert.strictEqual(harness.closed, 1);
  harness.drop();
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.strictEqual(harness.connects, 2);
});

test('the mini-program connector speaks SocketTask', () => {
  const log = [];
  const socketTask = { handlers: {} };
  ['onOpen', 'onMessage', 'onClose', 'onError'].forEach((name) => {
    socketTask[name] = (f) => { socketTask.handlers[name] = f; };
  });
  socketTask.send = (o) => log.push(['send', o.data]);
  socketTask.close = (o) => log.push(['close', o.code]);
  const api = { connectSocket: (o) => { log.push(['connect', o.url]); return socketTask; } };
  const connection = miniProgramConnector(api)('ws://h:1', {
    onOpen: () => log.push(['open']),
    onMessage: (text) => log.push(['message', text]),
    onClose: (reason) => log.push(['closed', reason]),
    onError: () => {},
  });
  socketTask.handlers.onOpen({});
  socketTask.handlers.onMessage({ data: '{"type":"hello"}' });
  connection.send('x');
  connection.close();
  socketTask.handlers.onClose({ code: 1000 });
  assert.deepStrictEqual(log, [['connect', 'ws://h:1'], ['open'], ['message', '{"type":"hello"}'],
    ['send', 'x'], ['close', 1000], ['closed', 'closed (code 1000)']]);
});

test('encode keeps JSON values and drops what JSON cannot carry', () => {
  assert.deepStrictEqual(encode({ a: [1, Infinity, null, 'x'], f() {}, u: undefined, n: { m: NaN } }),
    { a: [1, { $number: 'Infinity' }, null, 'x'], n: { m: { $number: 'NaN' } } });
});

test('the mini-program page keeps the address and runs the bridge over the platform socket', () => {
  const { definition } = require('../core/page.js');
  const storage = { 'dlconform-harness-address': 'ws://10.0.0.2:8790' };
  const opened = [];
  const api = {
    getStorageSync: (k) => storage[k],
    setStorageSync: (k, v) => { storage[k] = v; },
    connectSocket: (o) => {
      opened.push(o.url);
      const task = {};
      ['onOpen', 'onMessage', 'onClose', 'onError'].forEach((n) => { task[n] = () => {}; });
      task.send = () => {};
      task.close = () => {};
      return task;
    },
    downloadFile: () => ({}),
  };
  const def = definition(api, 'douyin');
  const page = Object.assign({ data: Object.assign({}, def.data), setData(d) { Object.assign(this.data, d); } }, def);
  page.onLoad();
  assert.strictEqual(page.data.address, 'ws://10.0.0.2:8790');
  page.onAddressInput({ detail: { value: ' http://nope ' } });
  page.onRun();
  assert.match(page.data.status, /must start with ws:\/\//);
  assert.deepStrictEqual(opened, []);
  page.onAddressInput({ detail: { value: 'ws://10.0.0.3:9000' } });
  page.onRun();
  assert.deepStrictEqual(opened, ['ws://10.0.0.3:9000']);
  assert.strictEqual(storage['dlconform-harness-address'], 'ws://10.0.0.3:9000');
  page.onStop();
  assert.strictEqual(page.data.status, 'stopped');
});
