// Placeholder until the viewer lands: the read API is at /v1/traces.
export const viewerHtml = `<!doctype html><meta charset="utf-8"><title>LumiqTrace</title><p>LumiqTrace collector: see <a href="/v1/traces">/v1/traces</a>.</p>`;
