import type { HandlerCallback, HandlerContext, HandlerEvent } from "@netlify/functions";
import { withNetlify } from "@lumiqtrace/netlify";

// the older callback style, which the Lambda runtime still accepts on Node.js 22 and earlier
export const handler = withNetlify(
  (event: HandlerEvent, _context: HandlerContext, callback: HandlerCallback) => {
    setTimeout(() => callback(null, { statusCode: 200, body: `called back for ${event.path}` }), 20);
  },
);
