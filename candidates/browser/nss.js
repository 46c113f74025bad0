// A private HOME whose NSS database trusts exactly one CA, for Chromium on Linux.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

/** A new HOME folder with an NSS database trusting only `ca` (a PEM path; null: none). */
function trustingHome(ca) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dlconform-browser-home-'));
  const dir = path.join(home, '.pki', 'nssdb');
  fs.mkdirSync(dir, { recursive: true });
  const db = 'sql:' + dir;
  execFileSync('certutil', ['-d', db, '-N', '--empty-password']);
  if (ca) execFileSync('certutil', ['-d', db, '-A', '-t', 'C,,', '-n', 'dlconform test CA', '-i', ca]);
  return home;
}

module.exports = { trustingHome };
