import { packageConfig } from "../../tsdown.base.ts";

export default packageConfig({
  dir: import.meta.dirname,
  entry: ["src/index.ts"],
});
