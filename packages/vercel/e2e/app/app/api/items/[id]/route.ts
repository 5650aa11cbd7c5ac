import { lumiqtrace } from "@lumiqtrace/sdk";
import { withVercelRoute } from "@lumiqtrace/vercel";
import type { NextRequest } from "next/server";

export const dynamic = "force-dynamic";

// Next 15/16 route handler types: NextRequest and a Promise of params pass through the wrapper.
export const POST = withVercelRoute(
  async (req: NextRequest, { params }: { params: Promise<{ id: string }> }) => {
    const { id } = await params;
    const delayMs = Number(req.nextUrl.searchParams.get("delay") ?? 0);
    await lumiqtrace.span("item", async (span) => {
      span.setAttribute("item.id", id);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    });
    return Response.json({ id, traceId: lumiqtrace.getTraceContext()?.traceId });
  },
);
