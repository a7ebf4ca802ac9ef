#!/usr/bin/env node
// In this repository, `node bin/un75-signal.js` runs the server package's compiled CLI (the
// published command is server/bin/un75-signal.js, in the un75-signal package).
import '../server/dist/server/cli.js';
