// Options both bridge test drivers share.
'use strict';

// Whether the bridge sends `started` before a call's first event. A harness that predates the
// `started` message rejects it as an unknown message (an ERROR for the case), so the drivers
// turn it on only once the harness in this tree knows the message.
exports.STARTED = false;
