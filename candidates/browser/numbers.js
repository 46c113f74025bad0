// JSON for the protocol: numbers JSON cannot carry travel as {"$number": "NaN"} (PROTOCOL.md).
'use strict';

const nonFinite = (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? { $number: String(v) } : v);

/** `value` as one line of protocol JSON, non-finite numbers kept. */
function encodeJson(value) {
  return JSON.stringify(value, nonFinite);
}

module.exports = { encodeJson };
