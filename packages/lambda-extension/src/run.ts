// The bundle's entry, what extensions/lumiqtrace runs: the extension until Lambda shuts it down.
import { main } from "./extension.js";

main().catch((error: unknown) => {
  console.error(`[lumiqtrace] the extension stopped: ${String(error)}`);
  process.exit(1);
});
