// The taro-h5 page (contract: candidates/browser/README.md). It calls downloadFile as a Taro
// H5 app does: an H5 build turns `Taro.downloadFile` into the named export of
// `@tarojs/taro-h5` (the default export carries no downloadFile). Every callback is reported
// exactly as the library makes it. Nothing here corrects the library.
import { downloadFile } from '@tarojs/taro-h5';

const emit = (msg) => window.dlconformEmit(msg);
let task = null;

// Taro's downloadFile takes url, header, withCredentials and timeout; every arg the harness
// gives is passed as a developer would pass it, and the library ignores what it does not know.
window.dlconformInvoke = (call) => {
  const options = Object.assign({}, call.args, {
    success: (res) => emit({ kind: 'event', event: 'success', data: res }),
    fail: (res) => emit({ kind: 'event', event: 'fail', data: res }),
    complete: (res) => emit({ kind: 'event', event: 'complete', data: res }),
  });
  emit({ kind: 'started' });
  task = downloadFile(options);
  // The returned task is also a promise; its rejection (a fail) is the callbacks' business.
  if (task && typeof task.catch === 'function') task.catch(() => {});
  listen('onProgressUpdate', (res) => emit({ kind: 'event', event: 'progress', data: res }));
  listen('onHeadersReceived', (res) => emit({ kind: 'event', event: 'headersReceived', data: res }));
};

// A task method the document promises; a missing or throwing one is reported as `threw`.
function listen(method, callback) {
  try {
    task[method](callback);
  } catch (err) {
    emit({ kind: 'threw', method, message: String((err && err.message) || err) });
  }
}

window.dlconformTask = (method, ...args) => {
  try {
    task[method](...args);
  } catch (err) {
    emit({ kind: 'threw', method, message: String((err && err.message) || err) });
  }
};
