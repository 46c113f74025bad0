#!/usr/bin/env node
// Runs the page once, by hand, against a running mock server: opens page.html in Debian's Chromium
// (trusting exactly the given test CA through an NSS db under a private HOME), calls
// dlconformInvoke with a downloadFile call for URL, and prints every message the page emits.
//   node candidates/uni-h5/probe.js URL CA.pem [--abort-after-ms N] [--args '{"timeout":500}']
// A tool for looking at what uni-h5 does; the harness runs the page through the browser driver.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const { execFileSync } = require('child_process');
const { chromium } = require('playwright-core');

const executablePath = process.env.DLCONFORM_CHROMIUM || '/usr/bin/chromium';
const WAIT_AFTER_COMPLETE_MS = 1500;
const GIVE_UP_MS = 90000;

function parseArgs(argv) {
  const [url, ca, ...rest] = argv;
  if (!url || !ca) {
    console.error("usage: probe.js URL CA.pem [--abort-after-ms N] [--args JSON]");
    process.exit(2);
  }
  const opts = { url, ca, abortAfterMs: null, args: {} };
  for (let i = 0; i < rest.length; i += 2) {
    if (rest[i] === '--abort-after-ms') opts.abortAfterMs = Number(rest[i + 1]);
    else if (rest[i] === '--args') opts.args = JSON.parse(rest[i + 1]);
    else {
      console.error('unknown option ' + rest[i]);
      process.exit(2);
    }
  }
  return opts;
}

function trustingHome(ca) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dlconform-uni-h5-home-'));
  const db = 'sql:' + path.join(home, '.pki', 'nssdb');
  fs.mkdirSync(path.join(home, '.pki', 'nssdb'), { recursive: true });
  execFileSync('certutil', ['-d', db, '-N', '--empty-password']);
  execFileSync('certutil', ['-d', db, '-A', '-t', 'C,,', '-n', 'dlconform test CA', '-i', ca]);
  return home;
}

function servePage() {
  const files = {
    '/': ['text/html', path.join(__dirname, 'page.html')],
    '/dist/page.js': ['text/javascript', path.join(__dirname, 'dist', 'page.js')],
  };
  const server = http.createServer((req, res) => {
    const file = files[req.url];
    if (!file) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { 'content-type': file[0] });
    fs.createReadStream(file[1]).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const home = trustingHome(opts.ca);
  const server = await servePage();
  const browser = await chromium.launch({ executablePath, headless: true, env: { ...process.env, HOME: home } });
  const t0 = Date.now();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('console', (m) => console.error('[console] ' + m.text()));
    page.on('pageerror', (e) => console.error('[page error] ' + e.message));
    let completed;
    const complete = new Promise((resolve) => { completed = resolve; });
    await page.exposeFunction('dlconformEmit', (msg) => {
      console.log(`${String(Date.now() - t0).padStart(6)} ms ${JSON.stringify(msg)}`);
      if (msg.kind === 'event' && msg.event === 'complete') completed();
    });
    await page.goto('http://127.0.0.1:' + server.address().port + '/');
    console.log('library ' + JSON.stringify(await page.evaluate(() => window.dlconformLibrary())));
    const call = { type: 'call', call: 'probe', case: 'wechat/probe', platform: 'wechat', api: 'downloadFile',
      env: {}, args: { url: opts.url, ...opts.args } };
    console.log('invoke ' + JSON.stringify(await page.evaluate((c) => window.dlconformInvoke(c), call)));
    if (opts.abortAfterMs !== null) {
      setTimeout(() => page.evaluate(() => window.dlconformTask('abort')).catch(() => {}), opts.abortAfterMs);
    }
    const giveUp = new Promise((resolve) => setTimeout(() => resolve('gave up'), GIVE_UP_MS));
    if ((await Promise.race([complete, giveUp])) === 'gave up') console.log('no complete within ' + GIVE_UP_MS + ' ms');
    await new Promise((resolve) => setTimeout(resolve, WAIT_AFTER_COMPLETE_MS));
  } finally {
    await browser.close();
    server.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exit(1);
});
