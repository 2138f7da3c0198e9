#!/usr/bin/env node
import { main } from '../dist/cli/process.js';

process.exitCode = await main();
