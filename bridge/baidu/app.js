// The app does nothing itself: the bridge runs on pages/index.
App({});
