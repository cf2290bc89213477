import { Option } from 'commander';
import { CLEARING_HOUSES, DcassError, type ClearingHouse, type ResolvedConfig } from '../index.js';

/** `--house HKCC|SEOCH`: one clearing house's records only (run, report, confirm). */
export function houseOption(): Option {
  return new Option(
    '--house <house>',
    "one clearing house only (default: the participant's one house, else every house)",
  ).choices(CLEARING_HOUSES);
}

/**
 * The clearing house a command covers: the one given, else the CP's one house (participant.
 * clearingHouses of one house), else null, every house. A house the CP declared itself no member of
 * is refused: its records are not the CP's to verify.
 */
export function houseScope(config: ResolvedConfig, given: ClearingHouse | undefined): ClearingHouse | null {
  if (given !== undefined && config.houseScope !== null && given !== config.houseScope) {
    throw new DcassError(
      'USAGE',
      `--house ${given}: the participant is a member of ${config.houseScope} only (participant.clearingHouses)`,
      {
        location: {
          ...(config.configFile === null ? {} : { file: config.configFile }),
          path: 'participant.clearingHouses',
        },
        hint: `leave out --house, or add ${given} to participant.clearingHouses if the participant clears there too`,
      },
    );
  }
  return given ?? config.houseScope;
}
