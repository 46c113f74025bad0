// A stand-in host API for testing the bridge: a `wx`-like downloadFile built on fetch and a
// ReadableStream reader, for the wechat platform. It is NOT a mini-program runtime; it only
// lets the bridge core be run for real in Chromium (and, identically, under Node on stdio).
//
// createHost({fetch, save}):
//   fetch(url, init, env) -> Promise<Response>   (window.fetch in the page; a fetch trusting
//                                                  env.caCert under Node)
//   save(absolutePath, Uint8Array) -> Promise     (where a finished download is stored)
// The bridge hands a host API the call's `env` as a second argument; real hosts ignore it,
// this one uses it to find the harness's folders behind the platform paths.
(function (root, factory) {
  var api = factory();
  if (typeof module === 'object' && module && module.exports) module.exports = api;
  else root.dlconformStandInHost = api;
})(typeof globalThis !== 'undefined' ? globalThis : this, function () {
  'use strict';

  var DEFAULT_TIMEOUT_MS = 60000;

  function platformFile(fsEnv, platformPath) {
    var areas = [[fsEnv.userPrefix, fsEnv.user], [fsEnv.tempPrefix, fsEnv.temp]];
    for (var i = 0; i < areas.length; i++) {
      if (platformPath.indexOf(areas[i][0]) !== 0) continue;
      var rest = platformPath.slice(areas[i][0].length);
      if (!rest || rest.split('/').indexOf('..') >= 0) return null;
      return { absolute: areas[i][1] + '/' + rest, user: i === 0 };
    }
    return null;
  }

  function headerObject(headers) {
    var out = {};
    headers.forEach(function (value, name) { out[name] = value; });
    return out;
  }

  function randomName() {
    return Math.random().toString(16).slice(2, 10) + Date.now().toString(16) + '.bin';
  }

  function createHost(hooks) {
    function downloadFile(options, env) {
      var progressListeners = [];
      var headerListeners = [];
      var controller = new AbortController();
      var ended = false;
      var why = null;
      var timer = null;

      function finish(kind, data) {
        if (ended) return;
        ended = true;
        if (timer) clearTimeout(timer);
        if (kind === 'success' && options.success) options.success(data);
        if (kind === 'fail' && options.fail) options.fail(data);
        if (options.complete) options.complete(data);
      }
      function fail(errno, detail) {
        finish('fail', { errMsg: 'downloadFile:fail ' + detail, errno: errno });
      }
      function stop(reason) {
        why = reason;
        controller.abort();
      }

      var target = null;
      if (typeof options.filePath === 'string') {
        target = platformFile(env.fs, options.filePath);
        if (!target || !target.user) {
          setTimeout(function () { fail(603303, 'permission denied, open "' + options.filePath + '"'); }, 0);
          return task();
        }
      }
      var timeout = typeof options.timeout === 'number' ? options.timeout : DEFAULT_TIMEOUT_MS;
      timer = setTimeout(function () { stop('timeout'); }, timeout);

      hooks.fetch(options.url, { headers: options.header || {}, signal: controller.signal, redirect: 'follow' }, env)
        .then(function (response) {
          var header = headerObject(response.headers);
          headerListeners.forEach(function (f) { f({ header: header }); });
          var total = Number(response.headers.get('content-length') || 0);
          var reader = response.body.getReader();
          var chunks = [];
          var written = 0;
          var lastPercent = -1;
          function pump() {
            return reader.read().then(function (step) {
              if (step.done) return null;
              chunks.push(step.value);
              written += step.value.length;
              var percent = total > 0 ? Math.floor((written * 100) / total) : 0;
              if (percent !== lastPercent) {
                lastPercent = percent;
                progressListeners.forEach(function (f) {
                  f({ progress: percent, totalBytesWritten: written, totalBytesExpectedToWrite: total });
                });
              }
              return pump();
            });
          }
          return pump().then(function () {
            if (total > 0 && written !== total) throw new Error('body incomplete');
            var bytes = new Uint8Array(written);
            var at = 0;
            chunks.forEach(function (c) { bytes.set(c, at); at += c.length; });
            var name = randomName();
            var absolute = target ? target.absolute : env.fs.temp + '/' + name;
            return hooks.save(absolute, bytes).then(function () {
              var data = { statusCode: response.status, errMsg: 'downloadFile:ok' };
              if (target) data.filePath = options.filePath;
              else data.tempFilePath = env.fs.tempPrefix + name;
              finish('success', data);
            });
          });
        })
        .catch(function (err) {
          if (why === 'abort') return fail(600000, 'abort');
          if (why === 'timeout') return fail(600000, 'timeout');
          fail(600003, 'interrupted ' + String((err && err.message) || err));
        });

      function task() {
        return {
          abort: function () {
            if (!ended) stop('abort');
          },
          onProgressUpdate: function (f) { progressListeners.push(f); },
          offProgressUpdate: function (f) { progressListeners = progressListeners.filter(function (g) { return g !== f; }); },
          onHeadersReceived: function (f) { headerListeners.push(f); },
          offHeadersReceived: function (f) { headerListeners = headerListeners.filter(function (g) { return g !== f; }); }
        };
      }
      return task();
    }
    return { downloadFile: downloadFile };
  }

  return { createHost: createHost };
});
