// The browser driver against a fixture page, in Debian's Chromium: the hello, forwarding
// (late callbacks and non-finite numbers included), one context per call, threw/log with and
// without the harness's features, and what a throwing page becomes.
//   node --test candidates/browser/test/driver.test.js
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const path = require('path');
const readline = require('readline');
const { spawn } = require('child_process');

/** The fixture adapter, speaking protocol v1 over its stdio. */
function start() {
  const child = spawn(process.execPath, [path.join(__dirname, 'adapter.js')], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = [];
  const waiters = [];
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(JSON.parse(line));
    waiters.splice(0).forEach((w) => w());
  });
  const send = (m) => child.stdin.write(JSON.stringify(m) + '\n');
  // Resolves with the messages once `done(messages)` holds (or fails after 20 s).
  const until = (done) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out; got ' + JSON.stringify(lines) + '\nstderr: ' + stderr)), 20000);
    const check = () => {
      if (done(lines)) {
        clearTimeout(timer);
        resolve(lines);
      } else {
        waiters.push(check);
      }
    };
    check();
  });
  // Resolves once stderr matches `pattern` (or fails after 20 s).
  const untilStderr = (pattern) => new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      if (pattern.test(stderr)) return resolve(stderr);
      if (Date.now() - started > 20000) return reject(new Error('stderr never matched ' + pattern + ':\n' + stderr));
      return setTimeout(poll, 50);
    };
    poll();
  });
  const stop = () => new Promise((resolve) => {
    child.on('exit', (code) => resolve(code));
    send({ type: 'shutdown' });
  });
  return { send, until, untilStderr, stop };
}

const call = (id, mode) => ({ type: 'call', call: id, case: 'wechat/x', platform: 'wechat', api: 'downloadFile', env: {}, args: { mode } });
const of = (lines, id) => lines.filter((l) => l.call === id);

test('hello names the library, the browser and what it lacks', async () => {
  const a = start();
  a.send({ type: 'hello', protocol: 1 });
  const [hello] = await a.until((l) => l.length >= 1);
  assert.strictEqual(hello.type, 'hello');
  assert.strictEqual(hello.protocol, 1);
  assert.deepStrictEqual(hello.library, { name: 'dlconform-browser-driver', version: require('../package.json').version });
  assert.strictEqual(hello.runtime.name, 'chromium');
  assert.match(hello.runtime.version, /^\d+\.\d+/);
  assert.deepStrictEqual(hello.lacks, ['files', 'host-events']);
  assert.strictEqual(await a.stop(), 0);
});

test('events are forwarded as the page made them, late ones and non-finite numbers included; one context per call', async () => {
  const a = start();
  a.send({ type: 'hello', protocol: 1, features: ['log', 'threw'] });
  await a.until((l) => l.length >= 1);
  a.send(call('c1', 'ok'));
  await a.until((l) => of(l, 'c1').some((m) => m.event === 'complete'));
  a.send(call('c2', 'ok'));
  a.send({ type: 'abort', call: 'c3' }); // unknown call: ignored
  const lines = await a.until((l) => of(l, 'c1').some((m) => m.event === 'fail') && of(l, 'c2').some((m) => m.event === 'fail'));
  const c1 = of(lines, 'c1');
  assert.deepStrictEqual(c1.map((m) => m.type + (m.event ? ':' + m.event : '')),
    ['started', 'log', 'event:progress', 'event:success', 'event:complete', 'event:fail']);
  assert.deepStrictEqual(c1[2].data, { progress: { $number: 'NaN' }, totalBytesWritten: 1, totalBytesExpectedToWrite: { $number: 'Infinity' } });
  assert.strictEqual(c1[3].data.header, 'a: b\r\n'); // a string stays a string
  assert.strictEqual(c1[5].data.errMsg, 'downloadFile:fail late');
  // The second call's page saw nothing of the first one's storage: its own context.
  const c2success = of(lines, 'c2').find((m) => m.event === 'success');
  assert.strictEqual(c2success.data.seen, null);
  assert.strictEqual(await a.stop(), 0);
});

test('a task method that throws is `threw` with the feature, a stderr line without it', async () => {
  for (const features of [['threw'], []]) {
    const a = start();
    a.send({ type: 'hello', protocol: 1, features });
    await a.until((l) => l.length >= 1);
    a.send(call('t1', 'hold'));
    await a.until((l) => of(l, 't1').some((m) => m.type === 'started'));
    a.send({ type: 'abort', call: 't1' });
    if (features.length) {
      const lines = await a.until((l) => of(l, 't1').some((m) => m.type === 'threw'));
      const threw = of(lines, 't1').find((m) => m.type === 'threw');
      assert.deepStrictEqual(threw, { type: 'threw', call: 't1', method: 'abort', message: 'abort is broken' });
    } else {
      await a.untilStderr(/\[t1\] threw: abort threw: abort is broken/);
      assert.ok(!(await a.until((l) => l)).some((m) => m.type === 'threw'), 'no threw message without the feature');
      await a.stop();
      continue;
    }
    await a.stop();
  }
});

test('a page that throws before any callback makes the call an error; other platforms are unsupported', async () => {
  const a = start();
  a.send({ type: 'hello', protocol: 1 });
  await a.until((l) => l.length >= 1);
  a.send(call('e1', 'no-start'));
  a.send(call('e2', 'throws'));
  a.send(Object.assign(call('u1', 'ok'), { platform: 'douyin' }));
  const lines = await a.until((l) => ['e1', 'e2', 'u1'].every((id) => of(l, id).some((m) => ['error', 'unsupported'].includes(m.type))));
  assert.match(of(lines, 'e1')[0].message, /^could not invoke the API in the page: .*nothing to call/);
  assert.deepStrictEqual(of(lines, 'e2').map((m) => m.type), ['started', 'error']);
  assert.match(of(lines, 'e2')[1].message, /^the API threw: .*the API threw at once/);
  assert.strictEqual(of(lines, 'u1')[0].type, 'unsupported');
  await a.stop();
});
