// The taro-h5 page (contract: candidates/browser/README.md). It calls downloadFile as a Taro
// H5 app does: an H5 build turns `Taro.downloadFile` into the named export of
// `@tarojs/taro-h5` (the default export carries no downloadFile). Every callback is reported
// exactly as the library makes it. Nothing here corrects the library.
import { downloadFile } from '@tarojs/taro-h5';

const emit = (msg) => window.dlconformEmit(msg);
let task = null;
// The listeners registered on the task, by event: `dlconformOff` removes these very ones.
const listeners = {
  progress: (res) => emit({ kind: 'event', event: 'progress', data: res }),
  headersReceived: (res) => emit({ kind: 'event', event: 'headersReceived', data: res }),
};

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
  listen('onProgressUpdate', listeners.progress);
  listen('onHeadersReceived', listeners.headersReceived);
};

// A task method the document promises; a missing or throwing one is reported as `threw`.
function listen(method, callback) {
  try {
    task[method](callback);
  } catch (err) {
    emit({ kind: 'threw', method, message: String((err && err.message) || err) });
  }
}

// The task's offProgressUpdate / offHeadersReceived with the listener registered above, or with
// no argument when `all`; a missing or throwing one is reported as `threw`.
window.dlconformOff = (event, all) => {
  const method = event === 'progress' ? 'offProgressUpdate' : 'offHeadersReceived';
  if (all) window.dlconformTask(method);
  else window.dlconformTask(method, listeners[event]);
};

window.dlconformTask = (method, ...args) => {
  try {
    task[method](...args);
  } catch (err) {
    emit({ kind: 'threw', method, message: String((err && err.message) || err) });
  }
};
