import { withVercelRoute } from "@lumiqtrace/vercel";
import { streamed } from "../../../../lib/handlers";

export const runtime = "edge";
export const dynamic = "force-dynamic";
export const GET = withVercelRoute(streamed);
