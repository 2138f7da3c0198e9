#!/usr/bin/env node
// Build step: precomputes the parsed built-in rules and their regex translations into
// dist/builtin-rules.json so that the CLI starts fast.
import { writeBuiltinBundle } from '../dist/config/load.js';

const { rules, path } = writeBuiltinBundle();
process.stdout.write(`bundled ${rules} built-in rules into ${path}\n`);
