import type { FieldSpec, HEADER_FIELDS, Profile } from '../../config/profile.js';
import { DcassError } from '../../shared/errors.js';
import { readField } from '../normalise/field.js';
import type { HkTimestamp } from '../normalise/values.js';
import type { FieldTexts } from '../parse/parse-event.js';
import type { NameFacts } from './file-meta.js';

/** Whose file it is and for which business date, once header, file name and configuration agree. */
export interface FileIdentity {
  readonly participant: string;
  readonly businessDate: string | null;
  readonly generatedAt: string | null;
}

/**
 * Reconciles what the header says with what the file name says and with the configured participant.
 * Any disagreement refuses the file: a mislabelled report loaded under the wrong date is a silent break.
 */
export function checkHeader(
  profile: Profile,
  fileName: string,
  name: NameFacts,
  header: FieldTexts | null,
  configured: string | null,
  line: number,
): FileIdentity {
  const at = { file: fileName, line };
  const refuse = (message: string, field: string, hint?: string): never => {
    throw new DcassError('INGEST_HEADER_MISMATCH', `${fileName}:${line}: ${message}`, {
      location: { ...at, field },
      ...(hint ? { hint } : {}),
    });
  };
  const specs: Partial<Record<(typeof HEADER_FIELDS)[number], FieldSpec>> =
    profile.format.type === 'csv'
      ? {}
      : profile.format.type === 'xml'
        ? profile.format.header
        : profile.format.header.fields;
  const read = (field: (typeof HEADER_FIELDS)[number]) => {
    const spec = specs[field];
    if (spec === undefined || header === null) return undefined;
    const r = readField(field, spec, header[field], null);
    if (!r.ok) {
      throw new DcassError('INGEST_HEADER_INVALID', `${fileName}:${line}: header ${r.issue.message}`, {
        location: { ...at, field },
      });
    }
    return r.value;
  };

  const reportId = read('reportId');
  if (typeof reportId === 'string' && reportId !== profile.reportId) {
    refuse(
      `the header says report ${reportId}, expected ${profile.reportId}`,
      'reportId',
      'is this the right profile for the file?',
    );
  }

  const headerParticipant = read('participant');
  const participant =
    (typeof headerParticipant === 'string' ? headerParticipant : null) ?? name.participant ?? configured;
  if (participant === null) {
    throw new DcassError('INGEST_HEADER_INVALID', `${fileName}: no participant in the header or file name`, {
      location: at,
    });
  }
  if (name.participant !== null && participant !== name.participant) {
    refuse(
      `the header is for participant ${participant} but the file name says ${name.participant}`,
      'participant',
    );
  }
  if (configured !== null && participant !== configured) {
    refuse(
      `the file is for participant ${participant}, but this configuration is for ${configured}`,
      'participant',
      'load only your own reports',
    );
  }

  const headerDate = read('businessDate');
  const businessDate = (typeof headerDate === 'string' ? headerDate : null) ?? name.businessDate;
  if (name.businessDate !== null && businessDate !== name.businessDate) {
    refuse(
      `the header is for business date ${businessDate} but the file name says ${name.businessDate}`,
      'businessDate',
    );
  }
  if (businessDate === null && profile.entity !== 'account_map') {
    throw new DcassError(
      'INGEST_HEADER_INVALID',
      `${fileName}: no business date in the header or file name`,
      {
        location: at,
        hint: `name the file as profile ${profile.name} expects (${profile.match})`,
      },
    );
  }

  const generated = read('generatedAt') as HkTimestamp | null | undefined;
  return { participant, businessDate, generatedAt: generated?.instant ?? name.generatedAt };
}
