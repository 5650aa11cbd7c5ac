// The test app for e2e/next.test.ts: built once per test run by e2e/build-app.ts.
/** @type {import('next').NextConfig} */
export default {
  // the tests run on one machine with no network: nothing to optimise or fetch
  images: { unoptimized: true },
  poweredByHeader: false,
};
