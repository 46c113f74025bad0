#!/usr/bin/env node
// The bridge core in headless Chromium over WebSocket, with the stand-in host on window.fetch.
//   node bridge/test/chromium.js ws://127.0.0.1:PORT /path/to/ca.pem
// Chromium is Debian's (/usr/bin/chromium or $DLCONFORM_CHROMIUM), never a downloaded one. It
// trusts the run's test CA through an NSS database under a private HOME, filled with certutil;
// certificate errors are never ignored. The page is served from a local http origin; the mock
// server answers it with CORS headers. Finished downloads are handed to Node to be stored in
// the harness's folders (the stand-in for a device's file system).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const { execFileSync } = require('child_process');
const { chromium } = require('playwright-core');
const { STARTED } = require('./options.js');

const [wsUrl, caPath] = process.argv.slice(2);
if (!wsUrl || !caPath) {
  console.error('usage: chromium.js ws://HOST:PORT CA.pem');
  process.exit(2);
}
const executablePath = process.env.DLCONFORM_CHROMIUM || '/usr/bin/chromium';
const FINISH_TIMEOUT_MS = 120000;

function trustingHome(ca) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dlconform-bridge-home-'));
  const db = 'sql:' + path.join(home, '.pki', 'nssdb');
  fs.mkdirSync(path.join(home, '.pki', 'nssdb'), { recursive: true });
  execFileSync('certutil', ['-d', db, '-N', '--empty-password']);
  execFileSync('certutil', ['-d', db, '-A', '-t', 'C,,', '-n', 'dlconform test CA', '-i', ca]);
  return home;
}

const files = {
  '/': ['text/html', path.join(__dirname, 'page.html')],
  '/bridge.js': ['text/javascript', path.join(__dirname, '..', 'core', 'bridge.js')],
  '/host.js': ['text/javascript', path.join(__dirname, 'host.js')],
};

function servePage() {
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
  const home = trustingHome(caPath);
  const server = await servePage();
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    env: Object.assign({}, process.env, { HOME: home }),
  });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => console.error('[page] ' + m.text()));
    page.on('pageerror', (e) => console.error('[page error] ' + e.message));
    await page.exposeFunction('dlconformSave', async (absolute, base64) => {
      await fs.promises.mkdir(path.dirname(absolute), { recursive: true });
      await fs.promises.writeFile(absolute, Buffer.from(base64, 'base64'));
    });
    let finished;
    const done = new Promise((resolve) => { finished = resolve; });
    await page.exposeFunction('dlconformStatus', (text) => {
      console.error('[bridge] ' + text);
      if (text === 'finished') finished();
    });
    await page.goto('http://127.0.0.1:' + server.address().port + '/');
    await page.evaluate(([url, started]) => window.startBridge(url, started), [wsUrl, STARTED]);
    const timeout = new Promise((_, reject) =>
      setTimeout(() => reject(new Error('the bridge did not finish within ' + FINISH_TIMEOUT_MS + ' ms')), FINISH_TIMEOUT_MS));
    await Promise.race([done, timeout]);
  } finally {
    await browser.close();
    server.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err && err.stack ? err.stack : String(err));
    process.exit(1);
  },
);
