import { withVercelRoute } from "@lumiqtrace/vercel";
import { redirect } from "next/navigation";

export const dynamic = "force-dynamic";
export const GET = withVercelRoute(async () => redirect("/api/node"));
