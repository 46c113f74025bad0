// A number JSON cannot carry (Infinity, -Infinity, NaN) becomes {"$number": "..."} (harness/PROTOCOL.md),
// wherever it sits; everything else is copied as it is, so the harness sees what the callback received.
export function encode(value) {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : { $number: String(value) };
  }
  if (Array.isArray(value)) {
    return value.map(encode);
  }
  if (value !== null && typeof value === 'object') {
    const out = {};
    for (const key of Object.keys(value)) {
      out[key] = encode(value[key]);
    }
    return out;
  }
  return value;
}
