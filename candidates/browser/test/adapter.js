#!/usr/bin/env node
// The driver over the fixture page (page/page.html), for driver.test.js.
'use strict';

const path = require('path');
const { runDriver } = require('../driver.js');

runDriver({
  name: 'driver-fixture',
  version: '0.0.1',
  platforms: ['wechat'],
  apis: ['downloadFile'],
  pageDir: path.join(__dirname, 'page'),
  library: path.join(__dirname, '..', 'package.json'),
  lacks: ['files', 'host-events'],
});
