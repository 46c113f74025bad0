// The uni-h5 page (contract: candidates/browser/README.md). It calls downloadFile as a uni-app H5
// release build does: with tree shaking on (the default), `uni.downloadFile` in an app becomes the
// named export of `@dcloudio/uni-h5`. Every callback is reported exactly as the library makes it;
// non-finite numbers cross the binding as numbers and the driver encodes them. Nothing here
// corrects the library.
import './globals.js';
import { downloadFile } from '@dcloudio/uni-h5';

const emit = (msg) => window.dlconformEmit(msg);
const forward = (event) => (res) => emit({ kind: 'event', event, data: res });
let task = null;
// The listeners registered on the task, by event: `dlconformOff` removes these very ones.
const listeners = { progress: forward('progress'), headersReceived: forward('headersReceived') };

// uni's downloadFile reads url, header and timeout; every arg the harness gives is passed as a
// developer would pass it, and the library ignores what it does not know (filePath included).
window.dlconformInvoke = (call) => {
  const options = Object.assign({}, call.args, {
    success: forward('success'),
    fail: forward('fail'),
    complete: forward('complete'),
  });
  emit({ kind: 'started' });
  task = downloadFile(options);
  // What a WeChat developer does with the task: listen for progress and for the headers.
  window.dlconformTask('onProgressUpdate', listeners.progress);
  window.dlconformTask('onHeadersReceived', listeners.headersReceived);
};

// The task's offProgressUpdate / offHeadersReceived with the listener registered above, or with
// no argument when `all`; a missing or throwing one is reported as `threw`.
window.dlconformOff = (event, all) => {
  const method = event === 'progress' ? 'offProgressUpdate' : 'offHeadersReceived';
  if (all) window.dlconformTask(method);
  else window.dlconformTask(method, listeners[event]);
};

// A task method the document promises; a missing or throwing one is reported as `threw`
// (uni-h5's onHeadersReceived throws "Method not implemented.") and the call goes on.
window.dlconformTask = (method, ...args) => {
  try {
    task[method](...args);
  } catch (err) {
    emit({ kind: 'threw', method, message: String((err && err.message) || err) });
  }
};
