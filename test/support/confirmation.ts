import type { ConfirmationConfig } from '../../src/config/config.js';

/** The starter configuration's fictitious CABC confirmation details, with the signatories a test wants. */
export function testConfirmation(signatories: readonly string[]): ConfirmationConfig {
  return {
    fullName: 'ABC Futures and Options Clearing Limited',
    clearingHouse: 'Both',
    customerCode: 'CABC',
    contacts: {
      primary: { name: 'Chan Tai Man', phone: '+852 2555 0101', email: 'tm.chan@abc-futures.example' },
      alternate: { name: 'Wong Siu Ming', phone: '+852 2555 0102', email: 'sm.wong@abc-futures.example' },
    },
    signatories,
    sessionDate: '2019-05-05',
    dueTime: '12:30',
  };
}
