#!/usr/bin/env node
// dlconform candidate: Taro's H5 runtime (@tarojs/taro-h5) and its downloadFile, in headless
// Chromium through the shared browser driver (candidates/browser/README.md). The page is
// page/page.html with page/bundle.js, built by install.sh from page/src/main.js.
'use strict';

const path = require('path');
const { runDriver } = require('../browser/driver.js');

runDriver({
  name: 'taro-h5',
  version: '0.1.0',
  // Taro's API follows wx (errMsg `downloadFile:ok`): WeChat's documents are what it promises.
  platforms: ['wechat'],
  apis: ['downloadFile'],
  pageDir: path.join(__dirname, 'page'),
  library: path.join(__dirname, 'node_modules', '@tarojs', 'taro-h5', 'package.json'),
  // A browser hands back a blob: URL (no platform path, no filePath), enforces no domain list and
  // has no base-library version. Of the host events the driver makes `offline` real (the
  // context's link is cut, candidates/browser/README.md); a network change or going to the
  // background Chromium cannot emulate.
  lacks: ['files', 'domain-list', 'sdk-version', 'host-event-network-change', 'host-event-background'],
});
