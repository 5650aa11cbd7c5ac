import { withVercelRoute } from "@lumiqtrace/vercel";

export const revalidate = 1;
export const GET = withVercelRoute(async () => Response.json({ at: "isr" }));
