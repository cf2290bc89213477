import type { Profile } from '../../config/profile.js';
import { emptyTexts, type FieldTexts, type RecordParser } from './parse-event.js';
import { readXmlRecords } from './xml-records.js';

type Xml = Extract<Profile['format'], { type: 'xml' }>;

/** DCASS XML reports: root attributes are the header, each record element's children are its fields. */
export const xmlParser: RecordParser = {
  async *parse(text, profile, file) {
    const format = profile.format as Xml;
    const byElement = new Map(
      Object.entries(profile.fields).map(([field, spec]) => [spec.from as string, field]),
    );
    for await (const event of readXmlRecords(text, { root: format.root, record: format.record }, file)) {
      if (event.kind === 'root') {
        const values: FieldTexts = emptyTexts();
        for (const [name, spec] of Object.entries(format.header)) {
          const v = event.attributes[spec.from as string];
          if (v !== undefined) values[name] = v;
        }
        yield { kind: 'header', line: event.line, values };
        continue;
      }
      const values: FieldTexts = emptyTexts();
      let extra: FieldTexts | null = null;
      // for-in, not Object.entries: no array per record; the fields' prototype holds nothing to inherit.
      for (const element in event.fields) {
        const text = event.fields[element]!;
        const field = byElement.get(element);
        if (field !== undefined) values[field] = text;
        else (extra ??= emptyTexts())[element] = text;
      }
      yield { kind: 'record', line: event.line, values, extra, raw: event.raw };
    }
  },
};
