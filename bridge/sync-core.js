#!/usr/bin/env node
// Copy bridge/core/ into each mini-program project: a developer tool only loads files inside
// the folder it imports. Run after editing bridge/core/; a test fails when a copy is stale.
'use strict';

const fs = require('fs');
const path = require('path');

const PROJECTS = ['wechat', 'douyin', 'feishu', 'baidu'];
const FILES = ['bridge.js', 'page.js'];

for (const project of PROJECTS) {
  const dir = path.join(__dirname, project, 'core');
  fs.mkdirSync(dir, { recursive: true });
  for (const file of FILES) {
    fs.copyFileSync(path.join(__dirname, 'core', file), path.join(dir, file));
  }
}
console.log(`copied ${FILES.join(', ')} into ${PROJECTS.map((p) => `bridge/${p}/core/`).join(', ')}`);
