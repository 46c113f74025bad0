// The bridge page's logic, the same on every mini-program platform: a field for the harness's
// address (kept in storage), a run button, the connection status. Each platform's
// pages/index/index.js passes its own API object (`wx`, `tt`, `swan`) and platform name.
var core = require('./bridge.js');

var STORAGE_KEY = 'dlconform-harness-address';

// The Page() definition for `api` running the spec platform `platformName`; `host` is the
// object whose downloadFile/uploadFile are tested (default `api`; `mpx` in an Mpx project).
function definition(api, platformName, host) {
  var bridge = null;
  return {
    data: { address: '', status: 'idle', platform: platformName },
    onLoad: function () {
      var saved = '';
      try {
        saved = api.getStorageSync(STORAGE_KEY) || '';
      } catch (err) {
        saved = '';
      }
      this.setData({ address: saved });
    },
    onUnload: function () {
      if (bridge) bridge.stop();
      bridge = null;
    },
    onAddressInput: function (event) {
      this.setData({ address: String(event.detail.value || '').trim() });
    },
    onRun: function () {
      var page = this;
      var address = page.data.address;
      if (!/^wss?:\/\//.test(address)) {
        page.setData({ status: 'the address must start with ws:// (e.g. ws://192.168.1.20:8790)' });
        return;
      }
      try {
        api.setStorageSync(STORAGE_KEY, address);
      } catch (err) {
        // Not remembering the address is no reason not to run.
      }
      if (bridge) bridge.stop();
      bridge = core.createBridge({
        url: address,
        host: host || api,
        platformName: platformName,
        name: 'dlconform-bridge-' + platformName,
        connect: core.miniProgramConnector(api),
        onStatus: function (text) { page.setData({ status: text }); },
        log: function (text) { console.log('[dlconform bridge] ' + text); }
      });
    },
    onStop: function () {
      if (bridge) bridge.stop();
      bridge = null;
      this.setData({ status: 'stopped' });
    }
  };
}

module.exports = { definition: definition };
