import { withVercelRoute } from "@lumiqtrace/vercel";

export const dynamic = "force-dynamic";
export const GET = withVercelRoute(async (): Promise<Response> => {
  throw new Error("boom from the route");
});
