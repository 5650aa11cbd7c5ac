import { withVercelRoute } from "@lumiqtrace/vercel";
import { notFound } from "next/navigation";

export const dynamic = "force-dynamic";
export const GET = withVercelRoute(async () => notFound());
