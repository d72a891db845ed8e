/**
 * The built-in scenarios (examples/scenarios/*.json), as data: a page or a script runs them without files.
 * `macsec simulate --builtin NAME` runs the same.
 */
import eavesdropper from '../../examples/scenarios/eavesdropper.json' with { type: 'json' };
import integrityOnly from '../../examples/scenarios/integrity-only.json' with { type: 'json' };
import mkaHandshake from '../../examples/scenarios/mka-handshake.json' with { type: 'json' };
import mkaPeerLoss from '../../examples/scenarios/mka-peer-loss.json' with { type: 'json' };
import mkaRekey from '../../examples/scenarios/mka-rekey.json' with { type: 'json' };
import mkaWrongCak from '../../examples/scenarios/mka-wrong-cak.json' with { type: 'json' };
import reorderWindow from '../../examples/scenarios/reorder-window.json' with { type: 'json' };
import reorder from '../../examples/scenarios/reorder.json' with { type: 'json' };
import replayWindow from '../../examples/scenarios/replay-window.json' with { type: 'json' };
import replay from '../../examples/scenarios/replay.json' with { type: 'json' };
import rollover from '../../examples/scenarios/rollover.json' with { type: 'json' };
import tamper from '../../examples/scenarios/tamper.json' with { type: 'json' };
import xpn100g from '../../examples/scenarios/xpn-100g.json' with { type: 'json' };
import { ConfigError, describe } from '../util/errors.js';
import { decodeScenario, type Scenario } from './scenario.js';

export interface BuiltinScenario {
  /** The file's name without .json: what `--builtin` takes. */
  readonly name: string;
  readonly description: string;
  /** The scenario as its file holds it: give it to `decodeScenario`, or use `builtinScenario(name)`. */
  readonly data: unknown;
}

const builtin = (name: string, data: { readonly description?: string }): BuiltinScenario => ({ name, description: data.description ?? '', data });

/** By name, in the order `macsec simulate --list` shows them. */
export const BUILTIN_SCENARIOS: readonly BuiltinScenario[] = [
  builtin('eavesdropper', eavesdropper),
  builtin('integrity-only', integrityOnly),
  builtin('mka-handshake', mkaHandshake),
  builtin('mka-peer-loss', mkaPeerLoss),
  builtin('mka-rekey', mkaRekey),
  builtin('mka-wrong-cak', mkaWrongCak),
  builtin('reorder-window', reorderWindow),
  builtin('reorder', reorder),
  builtin('replay-window', replayWindow),
  builtin('replay', replay),
  builtin('rollover', rollover),
  builtin('tamper', tamper),
  builtin('xpn-100g', xpn100g),
];

/** A built-in scenario, decoded and ready for `simulate`. */
export function builtinScenario(name: string): Scenario {
  const found = BUILTIN_SCENARIOS.find((s) => s.name === name);
  if (found === undefined) throw new ConfigError('scenario', `one of ${BUILTIN_SCENARIOS.map((s) => s.name).join(', ')}`, describe(name));
  return decodeScenario(found.data, name);
}
