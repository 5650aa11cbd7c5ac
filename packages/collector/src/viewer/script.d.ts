// The viewer's bundled browser script, made at build time by build/viewer-script.ts.
declare module "virtual:lumiqtrace-viewer-script" {
  const script: string;
  export default script;
}
