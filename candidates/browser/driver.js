// Shared driver for browser-run dlconform candidates (protocol v1, harness/PROTOCOL.md).
// A candidate supplies a page bundle (page.html + scripts) and a few names; this module speaks
// the protocol on stdin/stdout, runs Debian's Chromium through playwright-core with an NSS
// database that trusts exactly the run's test CA, opens one browser context per call, and
// forwards what the page reports without changing it. The contract is in README.md.
'use strict';

const fs = require('fs');
const readline = require('readline');
const { chromium } = require('playwright-core');
const { trustingHome } = require('./nss.js');
const { servePage } = require('./serve.js');
const { encodeJson } = require('./numbers.js');
const { RelayHost } = require('./relay.js');

/**
 * How long a call's context stays open after its `complete` at least, for late callbacks (all
 * there is when the harness's call message carries no `watchMs`, as from an older harness).
 */
const GRACE_MS = Number(process.env.DLCONFORM_BROWSER_GRACE_MS || 3000);
/** At shutdown, how long contexts still in their window are waited for (the harness gives 2 s). */
const SHUTDOWN_WAIT_MS = 1500;
/**
 * How many cases may have calls starting up at once (a context, a page, its bundle run to
 * dlconformInvoke; the calls of one case start up together). A start-up is the CPU-heavy part of
 * a call (a renderer process, the library's bundle); the start-ups of other cases starved the
 * pages whose calls were already being timed, on 2 cores by seconds (README.md, "Start-ups").
 * A start-up waits its turn before `started`, outside any timed span.
 */
const STARTUPS = Math.max(1, Number(process.env.DLCONFORM_BROWSER_STARTUPS || 1));
/** How long a page may take to define window.dlconformInvoke. */
const PAGE_READY_MS = 10000;
const EVENTS = new Set(['success', 'fail', 'complete', 'progress', 'headersReceived']);

/** Run the driver for one candidate; `options` as README.md describes. Never returns. */
function runDriver(options) {
  const driver = new Driver(options);
  driver.listen();
}

class Driver {
  constructor(options) {
    this.options = options;
    this.features = new Set();
    this.browser = null; // { ca, home, browser, version } once launched
    this.launching = null;
    this.server = null;
    this.calls = new Map(); // call id -> Call
    this.origins = null; // the mock server's origins from the harness hello (null: not given)
    this.relays = new RelayHost(); // the contexts' relays, in a worker thread
    this.queue = Promise.resolve(); // harness messages are handled in order
    this.startups = new Gate(STARTUPS); // calls starting up (context, page, bundle) at once
    this.ending = false;
  }

  listen() {
    const input = readline.createInterface({ input: process.stdin });
    input.on('line', (line) => {
      if (!line.trim()) return;
      let message;
      try {
        message = JSON.parse(line);
      } catch (err) {
        log('not JSON from the harness: ' + line);
        return;
      }
      this.queue = this.queue.then(() => this.handle(message)).catch((err) => log('driver: ' + stack(err)));
    });
    input.on('close', () => {
      this.queue = this.queue.then(() => this.drain());
    });
  }

  async handle(message) {
    switch (message.type) {
      case 'hello':
        return this.hello(message);
      case 'call':
        // Not awaited: calls run concurrently; only their start is ordered.
        this.startCall(message);
        return undefined;
      case 'abort':
        return this.task(message.call, 'abort');
      case 'off':
        return this.off(message.call, message.event, message.all === true);
      case 'inject':
        return this.inject(message.call, message.event);
      case 'shutdown':
        return this.shutdown();
      default:
        return undefined; // unknown message types are ignored (protocol versioning)
    }
  }

  async hello(message) {
    if (Array.isArray(message.features)) this.features = new Set(message.features);
    // The mock server's origins (hello.origins): only calls to them go through a relay.
    if (message.origins && typeof message.origins === 'object') {
      this.origins = new Set(Object.values(message.origins).map(originOf).filter(Boolean));
    }
    this.server = this.server || (await servePage(this.options.pageDir));
    const runtime = await this.ensureBrowser(typeof message.caCert === 'string' ? message.caCert : null);
    const library = readLibrary(this.options.library);
    send({
      type: 'hello',
      protocol: 1,
      name: this.options.name,
      version: this.options.version,
      platforms: this.options.platforms,
      apis: this.options.apis,
      library,
      runtime: { name: 'chromium', version: runtime.version },
      lacks: this.options.lacks || [],
    });
  }

  /** The browser trusting `ca` (null: no CA yet), launched or relaunched as needed. */
  async ensureBrowser(wanted) {
    const ca = typeof wanted === 'string' && wanted ? wanted : null;
    if (this.launching) await this.launching.catch(() => {});
    if (this.browser && (ca === null || this.browser.ca === ca)) return this.browser;
    this.launching = (async () => {
      const old = this.browser;
      this.browser = null;
      if (old) await closeBrowser(old);
      const home = trustingHome(ca);
      const browser = await chromium.launch({
        executablePath: process.env.DLCONFORM_CHROMIUM || '/usr/bin/chromium',
        headless: true,
        env: Object.assign({}, process.env, { HOME: home }),
      });
      const runtime = { ca, home, browser, version: browser.version() };
      // A browser that died is launched again for the next call.
      browser.on('disconnected', () => {
        if (this.browser === runtime) this.browser = null;
      });
      this.browser = runtime;
      return runtime;
    })();
    return this.launching;
  }

  startCall(message) {
    const id = message.call;
    const { platforms, apis, name } = this.options;
    if (!platforms.includes(message.platform) || !apis.includes(message.api)) {
      send({ type: 'unsupported', call: id, reason: `${name} implements ${apis.join(', ')} on ${platforms.join(', ')} only` });
      return;
    }
    const call = new Call(this, message);
    this.calls.set(id, call);
    call.run().catch((err) => call.failToInvoke(err));
  }

  async task(id, method) {
    const call = this.calls.get(id);
    if (call) await call.task(method);
  }

  /** The task's offProgressUpdate / offHeadersReceived, by the page (README.md). */
  async off(id, event, all) {
    const call = this.calls.get(id);
    if (call) await call.off(event, all);
  }

  /** A host event: `offline` takes the call's link away (README.md); the others are lacked. */
  async inject(id, event) {
    const call = this.calls.get(id);
    if (event !== 'offline') {
      log(`[${id}] inject ${event} ignored: Chromium cannot emulate it (lacks host-event-${event})`);
      return;
    }
    if (call) await call.offline();
  }

  /** A message of the page that the harness takes only when its hello lists the feature. */
  optional(kind, message) {
    if (this.features.has(kind)) send(message);
    else log(`[${message.call}] ${kind}: ${kind === 'threw' ? `${message.method} threw: ${message.message}` : message.message}`);
  }

  forget(id) {
    this.calls.delete(id);
  }

  async drain() {
    // End of input: running calls finish (and their grace passes), then exit 0.
    while ([...this.calls.values()].some((c) => !c.closed)) await sleep(50);
    await this.exit(0);
  }

  async shutdown() {
    const until = Date.now() + SHUTDOWN_WAIT_MS;
    while (Date.now() < until && [...this.calls.values()].some((c) => c.completed && !c.closed && c.closesAt() > Date.now())) await sleep(25);
    await this.exit(0);
  }

  async exit(code) {
    if (this.ending) return;
    this.ending = true;
    // Closing the browser closes every context; it must not hold the exit past the 2 s.
    const closing = this.browser ? closeBrowser(this.browser) : Promise.resolve();
    await Promise.race([closing, sleep(400)]);
    if (this.server) this.server.close();
    process.exit(code);
  }
}

/** One protocol call: its own browser context and page. */
class Call {
  constructor(driver, message) {
    this.driver = driver;
    this.message = message;
    this.id = message.call;
    this.received = Date.now();
    // How long after the call message the harness listens to the call at least: the page stays
    // open that long, whenever the library calls back (PROTOCOL.md, `watchMs`).
    this.watchMs = Number.isFinite(message.watchMs) && message.watchMs >= 0 ? message.watchMs : null;
    this.completedAt = null;
    this.closer = null;
    this.context = null;
    this.page = null;
    this.started = false; // `started` sent
    this.sent = false; // an event sent
    this.completed = false;
    this.closed = false;
    this.invoked = false; // dlconformInvoke has returned: the task exists
    this.abortWanted = false;
    this.offWanted = []; // [event, all] asked for before the API was invoked
    this.offlineWanted = false;
    this.isOffline = false;
    this.relay = null; // the context's SOCKS5 relay (relay.js): its link, cut on `offline`
  }

  async run() {
    const release = await this.driver.startups.enter(this.message.case || this.id);
    try {
      await this.startUp();
    } finally {
      release();
    }
    if (this.closed) return;
    await this.page.evaluate((call) => window.dlconformInvoke(call), this.message);
    this.invoked = true;
    for (const [event, all] of this.offWanted) await this.off(event, all);
    if (this.offlineWanted) await this.offline();
    if (this.abortWanted) await this.task('abort');
  }

  /** The call's context and page, up to a page ready to invoke the API (one gate turn). */
  async startUp() {
    const runtime = await this.driver.ensureBrowser(this.message.env && this.message.env.caCert);
    // A call to the mock server goes through a relay of its own, every connection of the
    // context but the driver's page origin, loopback included (Chromium bypasses a proxy for
    // loopback unless told `<-loopback>`). A call to anywhere else (a closed port, a name that
    // does not resolve) goes direct, so that Chromium's own reason (net::ERR_CONNECTION_REFUSED,
    // net::ERR_NAME_NOT_RESOLVED) is not a SOCKS one; such a call has no link to cut.
    let options = {};
    if (this.relayed()) {
      this.relay = await this.driver.relays.startRelay();
      if (this.closed) return void this.relay.close();
      const page = new URL(this.driver.server.url);
      options = { proxy: { server: this.relay.url, bypass: `<-loopback>,${page.host}` } };
    }
    this.context = await runtime.browser.newContext(options);
    await this.context.exposeBinding('dlconformEmit', (_source, msg) => this.emit(msg));
    this.page = await this.context.newPage();
    this.page.on('console', (m) => log(`[${this.id}] [page] ${m.text()}`));
    this.page.on('pageerror', (e) => log(`[${this.id}] [page error] ${e.message}`));
    // Why a request failed (net::ERR_CERT_..., net::ERR_CONNECTION_REFUSED) is the browser's to
    // say, not the page's: it goes to the call's log, the callbacks stay as the library made them.
    this.page.on('requestfailed', (request) => {
      const failure = request.failure();
      const message = `request failed: ${request.method()} ${request.url()}: ${failure ? failure.errorText : 'unknown'}`;
      this.driver.optional('log', { type: 'log', call: this.id, message });
    });
    await this.page.goto(this.driver.server.url);
    await this.page.waitForFunction(() => typeof window.dlconformInvoke === 'function', null, { timeout: PAGE_READY_MS });
  }

  /**
   * The device goes offline, as Chromium can make it: the context is set offline (CDP
   * Network.emulateNetworkConditions offline: navigator.onLine false, the `offline` event, every
   * new request fails with net::ERR_INTERNET_DISCONNECTED) and, because that emulation leaves
   * requests already in flight running (measured, Chromium 156), the context's relay resets
   * every connection it carries and refuses new ones. The browser fails what was in flight
   * itself; the page reports what the library then does.
   */
  async offline() {
    if (this.completed || this.closed || this.isOffline) return;
    if (!this.invoked) {
      // The page is still loading: offline once the API was invoked (the page needs its origin).
      this.offlineWanted = true;
      return;
    }
    this.isOffline = true;
    try {
      await this.context.setOffline(true);
    } catch (err) {
      log(`[${this.id}] setOffline failed in the driver: ${err.message}`);
    }
    let cut = 'no link to cut (the call is not to the mock server: not relayed)';
    if (this.relay) {
      try {
        cut = `${await this.relay.cut()} connection(s) of the context reset, new ones refused`;
      } catch (err) {
        cut = `the relay could not cut the link: ${err.message}`;
      }
    }
    this.driver.optional('log', {
      type: 'log',
      call: this.id,
      message: `offline: context offline (navigator.onLine false, new requests net::ERR_INTERNET_DISCONNECTED); ${cut}`,
    });
  }

  /** Whether the call's URL is on one of the mock server's origins (all, when none were given). */
  relayed() {
    const url = this.message.args && this.message.args.url;
    if (!this.driver.origins) return true;
    return typeof url === 'string' && this.driver.origins.has(originOf(url));
  }

  emit(msg) {
    if (!msg || typeof msg !== 'object') return log(`[${this.id}] page sent ${String(msg)}`);
    switch (msg.kind) {
      case 'started':
        this.started = true;
        return send({ type: 'started', call: this.id });
      case 'event':
        if (!EVENTS.has(msg.event)) return log(`[${this.id}] page sent an unknown event ${msg.event}`);
        this.sent = true;
        send({ type: 'event', call: this.id, event: msg.event, data: msg.data });
        if (msg.event === 'complete' && !this.completed) {
          this.completed = true;
          this.completedAt = Date.now();
          // setTimeout holds at most 2^31-1 ms; a longer window is not worth more than that.
          this.closer = setTimeout(() => this.close(), Math.min(2147483647, Math.max(0, this.closesAt() - Date.now())));
        }
        return undefined;
      case 'threw':
        return this.driver.optional('threw', { type: 'threw', call: this.id, method: String(msg.method), message: String(msg.message) });
      case 'log':
        return this.driver.optional('log', { type: 'log', call: this.id, message: String(msg.message) });
      default:
        return log(`[${this.id}] page sent an unknown kind ${msg.kind}`);
    }
  }

  /**
   * When the call's context may close, once it completed: at the end of the harness's window
   * (`watchMs` after the call message), and never sooner than GRACE_MS after `complete`.
   * Counted from the message, not from `started`: the end does not depend on how long the page
   * took to start, so a library timer as long as the window (taro's 60 s timeout against a
   * 60 s deadline) falls after it on every run, not on some. Infinity before `complete`.
   */
  closesAt() {
    if (this.completedAt === null) return Infinity;
    const floor = this.completedAt + GRACE_MS;
    return this.watchMs === null ? floor : Math.max(this.received + this.watchMs, floor);
  }

  async task(method) {
    // After `complete` the task still exists while the context is open: a method called then is
    // the library's to answer (a case calls abort() on a finished call on purpose).
    if (this.closed) return void log(`[${this.id}] ${method}: the call's context is closed, not called`);
    if (!this.invoked) {
      // The page is still loading: the method is called once the API was invoked.
      if (method === 'abort') this.abortWanted = true;
      return;
    }
    try {
      await this.page.evaluate((m) => window.dlconformTask(m), method);
    } catch (err) {
      log(`[${this.id}] dlconformTask(${method}) failed in the driver: ${err.message}`);
    }
  }

  /** `off`: the page removes the listener it registered for `event` (none named when `all`). */
  async off(event, all) {
    if (this.closed) return;
    if (!this.invoked) {
      // The page is still loading: the listener goes once the API was invoked.
      this.offWanted.push([event, all]);
      return;
    }
    try {
      await this.page.evaluate(([e, a]) => window.dlconformOff(e, a), [event, all]);
    } catch (err) {
      log(`[${this.id}] dlconformOff(${event}) failed in the driver: ${err.message}`);
    }
  }

  failToInvoke(err) {
    if (this.closed || this.driver.ending) return;
    if (this.sent) {
      log(`[${this.id}] after the API was called: ${stack(err)}`);
      return;
    }
    // Before any callback: the call cannot go on (a throw of the API itself, after `started`,
    // is named as such).
    const what = this.started ? 'the API threw' : 'could not invoke the API in the page';
    send({ type: 'error', call: this.id, message: `${what}: ${err.message}` });
    this.close();
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    if (this.closer) clearTimeout(this.closer);
    this.driver.forget(this.id);
    if (this.context) await this.context.close().catch(() => {});
    if (this.relay) await this.relay.close();
  }
}

/**
 * At most `size` keys (cases) hold the gate at once; a holder's own key enters at once (the calls
 * of one case start up together, as the case asks: a concurrency case must not be queued by the
 * driver), the others wait in arrival order.
 */
class Gate {
  constructor(size) {
    this.size = size;
    this.holding = new Map(); // key -> holders
    this.waiting = []; // {key, admit}
  }

  /** Resolves with a release function once `key` may go (call it once). */
  enter(key) {
    return new Promise((admit) => {
      if (this.holding.has(key) || this.holding.size < this.size) this.admit(key, admit);
      else this.waiting.push({ key, admit });
    });
  }

  admit(key, resolve) {
    this.holding.set(key, (this.holding.get(key) || 0) + 1);
    let released = false;
    resolve(() => {
      if (released) return;
      released = true;
      const left = this.holding.get(key) - 1;
      if (left > 0) return void this.holding.set(key, left);
      this.holding.delete(key);
      const next = this.waiting.shift();
      if (!next) return;
      this.admit(next.key, next.admit);
      // The rest of that case's calls go with it.
      const same = this.waiting.filter((w) => w.key === next.key);
      this.waiting = this.waiting.filter((w) => w.key !== next.key);
      for (const w of same) this.admit(w.key, w.admit);
    });
  }
}

async function closeBrowser(runtime) {
  await runtime.browser.close().catch(() => {});
  fs.rmSync(runtime.home, { recursive: true, force: true });
}

/** The origin of a URL (`https://127.0.0.1:40123`), or null. */
function originOf(url) {
  try {
    return new URL(url).origin;
  } catch (err) {
    return null;
  }
}

/** `{name, version}` of the package.json at `path`. */
function readLibrary(path) {
  const pkg = JSON.parse(fs.readFileSync(path, 'utf8'));
  return { name: pkg.name, version: pkg.version };
}

function send(message) {
  process.stdout.write(encodeJson(message) + '\n');
}

function log(text) {
  process.stderr.write(text + '\n');
}

function stack(err) {
  return String((err && err.stack) || err);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

module.exports = { runDriver };
