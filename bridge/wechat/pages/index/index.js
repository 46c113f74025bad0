// WeChat entry: the bridge page with `wx` as the host. In an Mpx project, pass `mpx` as the
// third argument to test mpx.downloadFile instead: definition(wx, 'wechat', mpx).
var page = require('../../core/page.js');

Page(page.definition(wx, 'wechat'));
