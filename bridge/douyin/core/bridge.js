// dlconform bridge core: runs protocol v1 (harness/PROTOCOL.md) inside a runtime.
//
// It connects to `dlconform run --candidate listen:ws://HOST:PORT`, answers `hello`, and runs
// each `call` with the host's own API (`wx`, `tt`, `swan`, a framework's object, or a stand-in
// in a browser), forwarding every callback as an `event` exactly as the host delivered it.
// Plain ES5 on purpose: mini-program runtimes, browsers and Node all load it, as a CommonJS
// module or as a script that sets `dlconformBridge`.
(function (root, factory) {
  var api = factory();
  if (typeof module === 'object' && module && module.exports) {
    module.exports = api;
  } else if (root) {
    root.dlconformBridge = api;
  }
})(typeof globalThis !== 'undefined' ? globalThis : typeof window !== 'undefined' ? window : this, function () {
  'use strict';

  var PROTOCOL = 1;
  var APIS = ['downloadFile', 'uploadFile'];
  var TASK_EVENTS = [
    ['onProgressUpdate', 'progress'],
    ['onHeadersReceived', 'headersReceived']
  ];
  // The `off` message's event -> the task method that removes its listener.
  var OFF_METHODS = { progress: 'offProgressUpdate', headersReceived: 'offHeadersReceived' };

  // JSON cannot carry Infinity or NaN (JSON.stringify writes null): protocol v1 spells them
  // {"$number":"Infinity"}, so a host that reports a non-finite number is seen doing so.
  function encode(value, depth) {
    if (depth > 32) return null;
    if (typeof value === 'number') {
      if (isFinite(value)) return value;
      return { $number: value !== value ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity' };
    }
    if (value === null || typeof value !== 'object') return value;
    var out;
    if (Object.prototype.toString.call(value) === '[object Array]') {
      out = [];
      for (var i = 0; i < value.length; i++) out.push(encode(value[i], depth + 1));
      return out;
    }
    out = {};
    for (var key in value) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
      var item = value[key];
      if (typeof item === 'function' || item === undefined) continue;
      out[key] = encode(item, depth + 1);
    }
    return out;
  }

  function describe(err) {
    if (err && err.message) return String(err.message);
    try {
      return JSON.stringify(err);
    } catch (e) {
      return String(err);
    }
  }

  // A connector over a WHATWG WebSocket (browsers, Node 22+, or any compatible class).
  function webSocketConnector(WebSocketImpl) {
    return function (url, handlers) {
      var socket = new WebSocketImpl(url);
      socket.onopen = function () { handlers.onOpen(); };
      socket.onmessage = function (event) { handlers.onMessage(String(event.data)); };
      socket.onclose = function (event) { handlers.onClose('closed (code ' + event.code + ')'); };
      socket.onerror = function () { handlers.onError('WebSocket error'); };
      return {
        send: function (text) { socket.send(text); },
        close: function () { socket.close(1000, 'shutdown'); }
      };
    };
  }

  // A connector over a mini-program's own socket API (`wx`, `tt`, `swan` all offer
  // connectSocket returning a SocketTask with onOpen/onMessage/onClose/onError/send/close).
  function miniProgramConnector(api) {
    return function (url, handlers) {
      var task = api.connectSocket({
        url: url,
        fail: function (res) { handlers.onError('connectSocket failed: ' + describe(res)); handlers.onClose('not connected'); }
      });
      task.onOpen(function () { handlers.onOpen(); });
      task.onMessage(function (res) { handlers.onMessage(String(res.data)); });
      task.onClose(function (res) { handlers.onClose('closed (code ' + (res && res.code) + ')'); });
      task.onError(function (res) { handlers.onError('socket error: ' + describe(res)); });
      return {
        send: function (text) { task.send({ data: text }); },
        close: function () { task.close({ code: 1000, reason: 'shutdown' }); }
      };
    };
  }

  // options: {url, host, platformName, platforms?, connect?, WebSocketImpl?, name?, version?,
  //           started?, reconnectMs?, onStatus?, log?}
  // `started: false` leaves out the `started` mark, for a harness that predates it.
  function createBridge(options) {
    var host = options.host;
    var platforms = options.platforms || [options.platformName];
    var connect = options.connect ||
      webSocketConnector(options.WebSocketImpl || (typeof WebSocket !== 'undefined' ? WebSocket : null));
    var sendStarted = options.started !== false;
    var reconnectMs = options.reconnectMs === undefined ? 1000 : options.reconnectMs;
    var status = options.onStatus || function () {};
    var log = options.log || function () {};
    var calls = {};
    var connection = null;
    var stopped = false;
    var timer = null;

    function apis() {
      var out = [];
      for (var i = 0; i < APIS.length; i++) {
        if (host && typeof host[APIS[i]] === 'function') out.push(APIS[i]);
      }
      return out;
    }

    function send(message) {
      if (!connection) return;
      try {
        connection.send(JSON.stringify(message));
      } catch (err) {
        log('cannot send: ' + describe(err));
      }
    }

    function startCall(message) {
      var id = message.call;
      var api = message.api;
      if (platforms.indexOf(message.platform) < 0 || apis().indexOf(api) < 0) {
        send({ type: 'unsupported', call: id, reason: 'this bridge runs ' + platforms.join(', ') + ' ' + apis().join(', ') });
        return;
      }
      var state = { task: null, done: false, started: false, queue: [], listeners: {} };
      calls[id] = state;
      // Events the host fires while it is still being invoked wait for `started`.
      function emit(event, data) {
        var message = { type: 'event', call: id, event: event, data: encode(data === undefined ? null : data, 0) };
        if (state.started) send(message);
        else state.queue.push(message);
        if (event === 'complete') state.done = true;
      }
      var args = {};
      var given = message.args || {};
      for (var key in given) {
        if (Object.prototype.hasOwnProperty.call(given, key)) args[key] = given[key];
      }
      args.success = function (res) { emit('success', res); };
      args.fail = function (res) { emit('fail', res); };
      args.complete = function (res) { emit('complete', res); };
      try {
        state.task = host[api](args, message.env);
      } catch (err) {
        send({ type: 'error', call: id, message: 'host.' + api + '() threw: ' + describe(err) });
        state.done = true;
        return;
      }
      state.started = true;
      if (sendStarted) send({ type: 'started', call: id });
      for (var q = 0; q < state.queue.length; q++) send(state.queue[q]);
      state.queue = [];
      var task = state.task;
      if (!task) return;
      for (var i = 0; i < TASK_EVENTS.length; i++) {
        attach(id, state, TASK_EVENTS[i][0], TASK_EVENTS[i][1], emit);
      }
    }

    function attach(id, state, method, event, emit) {
      var task = state.task;
      if (typeof task[method] !== 'function') return;
      // Kept, so that `off` removes this very listener as a developer's code would.
      var listener = function (res) { emit(event, res); };
      state.listeners[event] = listener;
      try {
        task[method](listener);
      } catch (err) {
        send({ type: 'error', call: id, message: 'task.' + method + '() threw: ' + describe(err) });
      }
    }

    // Also after `complete`: abort() on a finished task is the host's to answer, and what it
    // then does (nothing, or a second fail and complete) is what the case looks at.
    function abortCall(id) {
      var state = calls[id];
      if (!state) return;
      if (!state.task || typeof state.task.abort !== 'function') {
        send({ type: 'error', call: id, message: 'the task has no abort()' });
        return;
      }
      try {
        state.task.abort();
      } catch (err) {
        send({ type: 'error', call: id, message: 'task.abort() threw: ' + describe(err) });
      }
    }

    // The task's offProgressUpdate / offHeadersReceived with the listener the bridge added (or
    // none when `all`: where the document says that removes every listener). Events the host
    // still delivers afterwards are forwarded: whether they stop is the host's to show.
    function offCall(id, event, all) {
      var state = calls[id];
      var method = OFF_METHODS[event];
      if (!state || !method || !state.task) return;
      if (typeof state.task[method] !== 'function') {
        send({ type: 'error', call: id, message: 'the task has no ' + method + '()' });
        return;
      }
      try {
        if (all) state.task[method]();
        else state.task[method](state.listeners[event]);
      } catch (err) {
        send({ type: 'error', call: id, message: 'task.' + method + '() threw: ' + describe(err) });
      }
    }

    function receive(text) {
      var message;
      try {
        message = JSON.parse(text);
      } catch (err) {
        log('not JSON from the harness: ' + text);
        return;
      }
      switch (message.type) {
        case 'hello':
          send({
            type: 'hello',
            protocol: PROTOCOL,
            name: options.name || 'dlconform-bridge',
            version: options.version || '0.1.0',
            platforms: platforms,
            apis: apis()
          });
          break;
        case 'call':
          startCall(message);
          break;
        case 'abort':
          abortCall(message.call);
          break;
        case 'off':
          offCall(message.call, message.event, message.all === true);
          break;
        case 'inject':
          // A page cannot take its device offline: the host's own behaviour decides these cases.
          log('inject ' + message.event + ' is not driven by the bridge');
          break;
        case 'shutdown':
          stop();
          break;
        default:
          // Unknown message types are ignored (protocol versioning rule).
          break;
      }
    }

    function open() {
      if (stopped) return;
      status('connecting to ' + options.url);
      var live = true;
      var handlers = {
        onOpen: function () { if (live) status('connected to ' + options.url); },
        onMessage: function (text) { if (live) receive(text); },
        onError: function (reason) { log(reason); },
        onClose: function (reason) {
          if (!live) return;
          live = false;
          connection = null;
          if (stopped) {
            status('finished');
            return;
          }
          // The harness waits for a reconnection (bounded by its hello timeout).
          status('disconnected: ' + reason + '; reconnecting');
          timer = setTimeout(open, reconnectMs);
        }
      };
      connection = connect(options.url, handlers);
    }

    function stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (connection) connection.close();
    }

    open();
    return { stop: stop };
  }

  return {
    PROTOCOL: PROTOCOL,
    createBridge: createBridge,
    encode: function (value) { return encode(value, 0); },
    webSocketConnector: webSocketConnector,
    miniProgramConnector: miniProgramConnector
  };
});
