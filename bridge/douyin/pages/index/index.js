// douyin entry: the bridge page with `tt` as the host.
var page = require('../../core/page.js');

Page(page.definition(tt, 'douyin'));
