import { withVercelRoute } from "@lumiqtrace/vercel";

export const dynamic = "error";
export const GET = withVercelRoute(async () => Response.json({ at: "error-static" }));
