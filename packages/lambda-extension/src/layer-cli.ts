#!/usr/bin/env node
// `lumiqtrace-lambda-layer [out.zip]`: writes the layer's zip and prints how to publish it.
import { buildLayer, publishCommand } from "./layer.js";

const path = buildLayer(process.argv[2]);
console.log(`wrote ${path}\n\npublish it as a layer with:\n\n${publishCommand(path)}\n`);
