#!/usr/bin/env node
console.error("lumiqtrace: the CLI is not ready yet");
process.exit(1);
