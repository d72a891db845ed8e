// Every test file runs with node and native registered, as the CLI does; test/index.test.ts checks a fresh core without them.
import { useNodeBackends } from '../../src/crypto/node-backends.js';

useNodeBackends();
