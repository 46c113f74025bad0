// Baidu entry: the bridge page with `swan` as the host (downloadFile and uploadFile).
var page = require('../../core/page.js');

Page(page.definition(swan, 'baidu'));
