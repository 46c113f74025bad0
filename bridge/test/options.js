// Options both bridge test drivers share.
'use strict';

// Whether the bridge sends `started` before a call's first event. A harness that predates the
// `started` message rejects it as an unknown message (an ERROR for the case); the Rust test
// asks the harness's protocol types whether they know it and says so here.
exports.STARTED = process.env.DLCONFORM_BRIDGE_STARTED === '1';
