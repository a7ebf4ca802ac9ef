#!/usr/bin/env node
// The compiled CLI does the work; this file only exists so that `npx un75-signal` finds an entry.
import '../dist/server/cli.js';
