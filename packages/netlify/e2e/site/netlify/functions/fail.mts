import { type Config, withNetlify } from "@lumiqtrace/netlify";

export default withNetlify(async (): Promise<Response> => {
  throw new RangeError("modern boom");
});

export const config: Config = { path: "/api/fail" };
