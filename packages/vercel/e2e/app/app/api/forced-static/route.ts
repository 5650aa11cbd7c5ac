import { withVercelRoute } from "@lumiqtrace/vercel";

export const dynamic = "force-static";
export const GET = withVercelRoute(async () => Response.json({ at: "forced static" }));
