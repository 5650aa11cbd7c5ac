import { withVercelRoute } from "@lumiqtrace/vercel";
import { plain } from "../../../lib/handlers";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const GET = withVercelRoute(plain);
