// What the uni-app pages.json plugin writes before the runtime loads: the app's __uniConfig (filled in
// by build.mjs) and, in a tree-shaken release build, empty `uni` and `wx` globals.
window.__uniConfig = __DLCONFORM_UNI_CONFIG__;
window.uni = {};
window.wx = {};
