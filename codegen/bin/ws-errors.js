#!/usr/bin/env node
// The published bin runs the built CLI; in this repository `pnpm ws-errors` runs the sources.
import "../dist/bin.js";
