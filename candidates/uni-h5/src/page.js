// The uni-h5 page: window.dlconformInvoke(call) runs one protocol call through uni-app's own
// downloadFile and reports every callback through window.dlconformEmit, as the library makes it.
// The browser driver loads this page once per call (one browser context each), so one page holds
// at most one task. Nothing here corrects the library.
import './globals.js';
import { downloadFile } from '@dcloudio/uni-h5';
import { encode } from './encode.js';

const library = { name: '@dcloudio/uni-h5', version: __DLCONFORM_UNI_VERSION__ };
let task = null;

function emit(msg) {
  window.dlconformEmit(msg);
}

function event(name) {
  return (data) => emit({ kind: 'event', event: name, data: encode(data === undefined ? null : data) });
}

function messageOf(err) {
  return err && typeof err.message === 'string' ? err.message : String(err);
}

/** Calls a method of the running task; a throw is reported as `threw` and the call goes on. */
window.dlconformTask = (method, ...args) => {
  try {
    if (task === null || task === undefined) {
      throw new TypeError(`downloadFile returned ${task}, no task to call ${method} on`);
    }
    return task[method](...args);
  } catch (err) {
    emit({ kind: 'threw', method, message: messageOf(err) });
    return undefined;
  }
};

/** Runs one protocol `call` message through uni's downloadFile. */
window.dlconformInvoke = (call) => {
  if (call.api !== 'downloadFile') {
    return { unsupported: `uni-h5 is run for downloadFile only, not ${call.api}` };
  }
  // The platform's args exactly as a developer passes them (url, header, timeout, filePath...),
  // plus the three callbacks; uni reads what it knows and ignores the rest.
  const options = Object.assign({}, call.args, {
    success: event('success'),
    fail: event('fail'),
    complete: event('complete'),
  });
  emit({ kind: 'started' });
  task = downloadFile(options);
  // What a developer does with the task on WeChat: listen for progress and for the headers.
  window.dlconformTask('onProgressUpdate', event('progress'));
  window.dlconformTask('onHeadersReceived', event('headersReceived'));
  return { invoked: true };
};

/** The library under test, for the candidate's hello. */
window.dlconformLibrary = () => library;
