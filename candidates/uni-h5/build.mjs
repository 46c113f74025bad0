// Bundles page/src/main.js with @dcloudio/uni-h5 into page/bundle.js, the way a uni-app H5 release build
// would: `vue` is uni's own fork (@dcloudio/uni-h5-vue), the __UNI_FEATURE_*__ flags come from
// uni-cli-shared's initFeatures over app/pages.json and app/manifest.json, and __uniConfig holds what
// the pages.json plugin would put there (networkTimeout from normalizeNetworkTimeout).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const inputDir = path.join(here, 'app');
process.env.UNI_PLATFORM = 'h5';
process.env.UNI_INPUT_DIR = inputDir;

const esbuild = require('esbuild');
const shared = require('@dcloudio/uni-cli-shared');

const pagesJson = shared.normalizePagesJson(fs.readFileSync(path.join(inputDir, 'pages.json'), 'utf8'), 'h5');
const manifestJson = JSON.parse(fs.readFileSync(path.join(inputDir, 'manifest.json'), 'utf8'));
const features = shared.initFeatures({
  inputDir,
  command: 'build',
  platform: 'h5',
  pagesJson,
  manifestJson,
  ssr: false,
});
const uniVersion = require('@dcloudio/uni-h5/package.json').version;
const { pages: _pages, ...config } = pagesJson;
// The defaults of uni-h5-vite's manifest.json plugin (defaultRouter, defaultAsync) for a manifest that
// sets none of them.
const uniConfig = {
  ...config,
  compilerVersion: uniVersion,
  appId: manifestJson.appid,
  appName: manifestJson.name,
  appVersion: manifestJson.versionName,
  appVersionCode: manifestJson.versionCode,
  async: { loading: 'AsyncLoading', error: 'AsyncError', delay: 200, timeout: 60000, suspensible: true },
  debug: false,
  networkTimeout: shared.normalizeNetworkTimeout(manifestJson.networkTimeout),
  sdkConfigs: {},
  nvue: { 'flex-direction': 'column' },
  locale: '',
  fallbackLocale: '',
  locales: {},
  router: { mode: 'hash', base: '/', assets: 'assets', routerBase: '/' },
  darkmode: false,
  themeConfig: {},
};

const define = {
  'process.env.NODE_ENV': '"production"',
  __DLCONFORM_UNI_CONFIG__: JSON.stringify(uniConfig),
};
for (const [name, value] of Object.entries(features)) {
  define[name] = typeof value === 'string' ? value : JSON.stringify(value);
}

await esbuild.build({
  entryPoints: [path.join(here, 'page', 'src', 'main.js')],
  outfile: path.join(here, 'page', 'bundle.js'),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'chrome120',
  alias: { vue: '@dcloudio/uni-h5-vue' },
  define,
  banner: { js: `/* @dcloudio/uni-h5 ${uniVersion} */` },
  logLevel: 'error',
});
