import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DcassError } from '../../src/shared/errors.js';
import type { XmlEvent, XmlLayout } from '../../src/ingest/parse/xml-records.js';
import { MAX_XML_UNIT_CHARS, readXmlRecords } from '../../src/ingest/parse/xml-records.js';

const TRADES: XmlLayout = { root: 'DcassReport', record: 'Trade' };
const FILE = 'TRD001_CABC_20190506_2310.xml';

// The reference layout's sample TRD001 report, with a second trade.
const SAMPLE = `<DcassReport reportId="TRD001" participant="CABC" businessDate="2019-05-06"
             generatedAt="2019-05-06T23:10:00+08:00" recordCount="2">
  <Trade>
    <ClearingDate>2019-05-06</ClearingDate><Series>HSI28000E9</Series>
    <TradeNo>1000234</TradeNo><DealNo>500117</DealNo><Account>O01</Account>
    <Side>S</Side><Qty>3</Qty><Price>412.5</Price><Session>T1</Session>
    <TradeType>STD</TradeType><OrigTradeNo/><ExecTime>2019-05-05T21:14:03+08:00</ExecTime>
    <OpenClose>O</OpenClose>
  </Trade>
  <Trade>
    <ClearingDate>2019-05-06</ClearingDate><Series>HSI28200E9</Series>
    <TradeNo>1000235</TradeNo><DealNo>500118</DealNo><Account>H01</Account>
    <Side>B</Side><Qty>0003</Qty><Price>412.50</Price><Session>T</Session>
    <TradeType>GUP</TradeType><OrigTradeNo>1000199</OrigTradeNo><ExecTime>2019-05-06T10:02:00+08:00</ExecTime>
    <OpenClose>C</OpenClose>
  </Trade>
</DcassReport>
`;

const FIRST_RAW = `<Trade>
    <ClearingDate>2019-05-06</ClearingDate><Series>HSI28000E9</Series>
    <TradeNo>1000234</TradeNo><DealNo>500117</DealNo><Account>O01</Account>
    <Side>S</Side><Qty>3</Qty><Price>412.5</Price><Session>T1</Session>
    <TradeType>STD</TradeType><OrigTradeNo/><ExecTime>2019-05-05T21:14:03+08:00</ExecTime>
    <OpenClose>O</OpenClose>
  </Trade>`;

async function* feed(chunks: readonly string[]): AsyncGenerator<string> {
  for (const chunk of chunks) yield chunk;
}

async function read(doc: string | readonly string[], layout: XmlLayout = TRADES): Promise<XmlEvent[]> {
  const events: XmlEvent[] = [];
  for await (const event of readXmlRecords(feed(typeof doc === 'string' ? [doc] : doc), layout, FILE)) {
    events.push(event);
  }
  return events;
}

/** Reads `doc` expecting a DcassError; returns it with the events yielded before it. */
async function readFailing(
  doc: string | readonly string[],
): Promise<{ error: DcassError; events: XmlEvent[] }> {
  const events: XmlEvent[] = [];
  try {
    for await (const event of readXmlRecords(feed(typeof doc === 'string' ? [doc] : doc), TRADES, FILE)) {
      events.push(event);
    }
  } catch (err) {
    expect(err).toBeInstanceOf(DcassError);
    return { error: err as DcassError, events };
  }
  throw new Error(`expected a DcassError, got ${events.length} events`);
}

/** Plain-object copy of the events, so comparisons do not depend on the objects' prototypes. */
function plain(events: XmlEvent[]): unknown[] {
  return events.map((e) =>
    e.kind === 'root' ? { ...e, attributes: { ...e.attributes } } : { ...e, fields: { ...e.fields } },
  );
}

function records(events: XmlEvent[]): Extract<XmlEvent, { kind: 'record' }>[] {
  return events.filter((e): e is Extract<XmlEvent, { kind: 'record' }> => e.kind === 'record');
}

function wrap(body: string): string {
  return `<DcassReport reportId="TRD001">\n${body}\n</DcassReport>\n`;
}

describe('readXmlRecords: the reference layout sample', () => {
  it('gives the root attributes, then each record with its fields, line and raw text', async () => {
    const events = await read(SAMPLE);
    expect(plain(events)).toEqual([
      {
        kind: 'root',
        line: 1,
        attributes: {
          reportId: 'TRD001',
          participant: 'CABC',
          businessDate: '2019-05-06',
          generatedAt: '2019-05-06T23:10:00+08:00',
          recordCount: '2',
        },
      },
      {
        kind: 'record',
        line: 3,
        raw: FIRST_RAW,
        fields: {
          ClearingDate: '2019-05-06',
          Series: 'HSI28000E9',
          TradeNo: '1000234',
          DealNo: '500117',
          Account: 'O01',
          Side: 'S',
          Qty: '3',
          Price: '412.5',
          Session: 'T1',
          TradeType: 'STD',
          OrigTradeNo: '',
          ExecTime: '2019-05-05T21:14:03+08:00',
          OpenClose: 'O',
        },
      },
      {
        kind: 'record',
        line: 10,
        raw: expect.stringMatching(/^<Trade>\n[\s\S]*<OpenClose>C<\/OpenClose>\n {2}<\/Trade>$/) as unknown,
        fields: {
          ClearingDate: '2019-05-06',
          Series: 'HSI28200E9',
          TradeNo: '1000235',
          DealNo: '500118',
          Account: 'H01',
          Side: 'B',
          Qty: '0003',
          Price: '412.50',
          Session: 'T',
          TradeType: 'GUP',
          OrigTradeNo: '1000199',
          ExecTime: '2019-05-06T10:02:00+08:00',
          OpenClose: 'C',
        },
      },
    ]);
  });

  it('keeps field order as in the file and every value a string', async () => {
    const [, first] = records(await read(SAMPLE));
    expect(Object.keys(first?.fields ?? {})).toEqual([
      'ClearingDate',
      'Series',
      'TradeNo',
      'DealNo',
      'Account',
      'Side',
      'Qty',
      'Price',
      'Session',
      'TradeType',
      'OrigTradeNo',
      'ExecTime',
      'OpenClose',
    ]);
    for (const value of Object.values(first?.fields ?? {})) expect(typeof value).toBe('string');
  });

  it('accepts an XML declaration and a BOM before the root', async () => {
    const events = await read(`\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n${SAMPLE}`);
    expect(events.map((e) => [e.kind, e.line])).toEqual([
      ['root', 2],
      ['record', 4],
      ['record', 11],
    ]);
  });
});

describe('readXmlRecords: chunking', () => {
  const tricky =
    '<?xml version="1.0" encoding="utf-8"?>\r\n<!-- generated -->\r\n' +
    '<DcassReport reportId="TRD001" note="a &amp; b">\r\n' +
    '  <Trade><Series>HSI28000E9</Series><Note>caf\u00e9 \u4e2d\u6587 \ud83d\ude00 &lt;&#x41;&#66;&gt;</Note>' +
    '<Memo><![CDATA[<not a tag> & ]]></Memo><OrigTradeNo/></Trade>\r\n' +
    '  <Trade\r\n    ><Qty>0003</Qty></Trade>\r\n' +
    '</DcassReport>\r\n';

  it('gives the same events for every split of a document into two chunks', async () => {
    for (const doc of [SAMPLE, tricky]) {
      const whole = plain(await read(doc));
      expect(whole.length).toBeGreaterThan(1);
      for (let i = 0; i <= doc.length; i++) {
        expect(plain(await read([doc.slice(0, i), doc.slice(i)])), `split at ${i}`).toEqual(whole);
      }
    }
  });

  it('gives the same events for any split into many chunks (property)', async () => {
    const whole = plain(await read(tricky));
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: tricky.length }), { maxLength: 40 }),
        async (cuts) => {
          const points = [0, ...cuts.sort((a, b) => a - b), tricky.length];
          const chunks = points.slice(1).map((end, i) => tricky.slice(points[i], end));
          expect(plain(await read(chunks))).toEqual(whole);
        },
      ),
      { numRuns: 300, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) },
    );
  });

  it('decodes what the tricky document holds, CRLF line numbers included', async () => {
    const events = await read(tricky);
    expect(events[0]).toMatchObject({ kind: 'root', line: 3 });
    expect({ ...(events[0]?.kind === 'root' ? events[0].attributes : {}) }).toEqual({
      reportId: 'TRD001',
      note: 'a & b',
    });
    const [a, b] = records(events);
    expect({ ...a?.fields }).toEqual({
      Series: 'HSI28000E9',
      Note: 'caf\u00e9 \u4e2d\u6587 \ud83d\ude00 <AB>',
      Memo: '<not a tag> & ',
      OrigTradeNo: '',
    });
    expect(a?.line).toBe(4);
    expect(b?.line).toBe(5);
    expect(b?.raw).toBe('<Trade\r\n    ><Qty>0003</Qty></Trade>');
  });
});

describe('readXmlRecords: line numbers', () => {
  it('counts LF, CRLF and lone CR line ends alike', async () => {
    const lf = SAMPLE;
    for (const doc of [lf, lf.replace(/\n/g, '\r\n'), lf.replace(/\n/g, '\r')]) {
      expect((await read(doc)).map((e) => e.line)).toEqual([1, 3, 10]);
    }
  });

  it('gives the line of the `<` even when the tag name ends a line', async () => {
    const doc =
      '<DcassReport\n  reportId="X">\n<Trade\n><Qty>1</Qty></Trade><Trade><Qty>2</Qty></Trade>\n\n  <Trade\r\n/></DcassReport>';
    expect((await read(doc)).map((e) => e.line)).toEqual([1, 3, 4, 6]);
  });
});

describe('readXmlRecords: values', () => {
  it('keeps numbers as the strings in the file', async () => {
    const [r] = records(
      await read(wrap('<Trade><Qty>0003</Qty><Price>412.50</Price><X>1e5</X><Y>-0</Y><Z> 12 </Z></Trade>')),
    );
    expect({ ...r?.fields }).toEqual({ Qty: '0003', Price: '412.50', X: '1e5', Y: '-0', Z: ' 12 ' });
  });

  it('decodes the five predefined entities and character references; CDATA is text', async () => {
    const [r] = records(
      await read(
        wrap(
          '<Trade><A>&amp;&lt;&gt;&quot;&apos;</A><B>&#65;&#x42;&#x1F600;</B><C>x<![CDATA[&amp;<b>]]>y</C></Trade>',
        ),
      ),
    );
    expect({ ...r?.fields }).toEqual({ A: `&<>"'`, B: 'AB\u{1F600}', C: 'x&amp;<b>y' });
  });

  it('keeps unknown child elements, and gives an empty record no fields', async () => {
    const rs = records(await read(wrap('<Trade><Qty>1</Qty><NewThing>v</NewThing><Later/></Trade><Trade/>')));
    expect({ ...rs[0]?.fields }).toEqual({ Qty: '1', NewThing: 'v', Later: '' });
    expect({ ...rs[1]?.fields }).toEqual({});
  });

  it('reads another layout, e.g. POS001 positions', async () => {
    const doc =
      '<DcassReport reportId="POS001"><Position><Account>H01</Account><Long>5</Long></Position></DcassReport>';
    const events = await read(doc, { root: 'DcassReport', record: 'Position' });
    expect(events.map((e) => e.kind)).toEqual(['root', 'record']);
  });
});

describe('readXmlRecords: names cannot pollute prototypes', () => {
  it('stores __proto__, constructor and prototype children as plain own fields', async () => {
    const body =
      '<Trade><__proto__><polluted>yes</polluted></__proto__></Trade>'.replace(
        '<polluted>yes</polluted>',
        'x',
      ) +
      '<Trade><constructor>c</constructor><prototype>p</prototype><hasOwnProperty>h</hasOwnProperty><toString>t</toString><__proto__>q</__proto__></Trade>' +
      '<Trade><Qty>1</Qty></Trade>';
    const events = await read(`<DcassReport __proto__="a" constructor="b">${body}</DcassReport>`);
    const [r1, r2, r3] = records(events);
    expect(Object.getOwnPropertyDescriptor(r1?.fields, '__proto__')?.value).toBe('x');
    expect(Object.keys(r2?.fields ?? {})).toEqual([
      'constructor',
      'prototype',
      'hasOwnProperty',
      'toString',
      '__proto__',
    ]);
    expect(r2?.fields.constructor).toBe('c');
    expect(r2?.fields['__proto__']).toBe('q');
    // A record without such names inherits nothing either.
    expect(r3?.fields.constructor).toBeUndefined();
    expect(r3?.fields.toString).toBeUndefined();
    expect(r3?.fields['__proto__']).toBeUndefined();
    const root = events[0];
    expect(
      root?.kind === 'root' && Object.getOwnPropertyDescriptor(root.attributes, '__proto__')?.value,
    ).toBe('a');
    // Nothing reached a shared prototype.
    const probe: Record<string, unknown> = {};
    expect(probe.x).toBeUndefined();
    expect(Object.prototype.toString.call(probe)).toBe('[object Object]');
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
    expect(Object.getOwnPropertyNames(Object.getPrototypeOf(r2?.fields) as object)).toEqual([]);
    expect(Object.getPrototypeOf(Object.getPrototypeOf(r2?.fields) as object)).toBeNull();
  });
});

describe('readXmlRecords: refused markup (INGEST_XML_FORBIDDEN)', () => {
  const cases: Record<string, { doc: string; line: number; what: string }> = {
    'a DOCTYPE': {
      doc: `<?xml version="1.0"?>\n<!DOCTYPE DcassReport>\n${SAMPLE}`,
      line: 2,
      what: 'DOCTYPE',
    },
    'a lower-case doctype': { doc: `<!doctype DcassReport>\n${SAMPLE}`, line: 1, what: 'DOCTYPE' },
    'an internal-subset ENTITY': {
      doc: `<!DOCTYPE DcassReport [\n  <!ENTITY x "expanded">\n]>\n${wrap('<Trade><Qty>&x;</Qty></Trade>')}`,
      line: 1,
      what: 'DOCTYPE',
    },
    'an external entity': {
      doc: `<?xml version="1.0"?>\n\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n${wrap('<Trade><A>&xxe;</A></Trade>')}`,
      line: 3,
      what: 'DOCTYPE',
    },
    'billion laughs': {
      doc:
        '<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n' +
        Array.from(
          { length: 9 },
          (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
        ).join('\n') +
        `\n]>\n${wrap('<Trade><A>&lol9;</A></Trade>')}`,
      line: 1,
      what: 'DOCTYPE',
    },
    'an ENTITY declaration inside the root': {
      doc: wrap('<Trade><A>1</A></Trade>\n<!ENTITY y "z">\n<Trade><A>2</A></Trade>'),
      line: 3,
      what: 'ENTITY',
    },
  };

  for (const [name, { doc, line, what }] of Object.entries(cases)) {
    it(`refuses ${name}, naming file:line, whatever the chunking`, async () => {
      const expected = `${FILE}:${line}: contains ${what === 'DOCTYPE' ? 'a DOCTYPE' : 'an ENTITY'} declaration; DCASS reports never do and entity expansion is refused`;
      const at = doc.indexOf(
        what === 'DOCTYPE' ? (doc.includes('<!doctype') ? '<!doctype' : '<!DOCTYPE') : '<!ENTITY',
      );
      // Whole, and split at every point in and around the marker.
      const splits = [
        [doc],
        ...Array.from({ length: 14 }, (_, k) => [doc.slice(0, at - 2 + k), doc.slice(at - 2 + k)]),
      ];
      for (const chunks of splits) {
        const { error, events } = await readFailing(chunks);
        expect(error.code).toBe('INGEST_XML_FORBIDDEN');
        expect(error.message).toBe(expected);
        expect(error.location).toEqual({ file: FILE, line });
        // Nothing declared was ever expanded into a record.
        expect(
          records(events).every(
            (r) => !JSON.stringify(r).includes('expanded') && !JSON.stringify(r).includes('lol'),
          ),
        ).toBe(true);
      }
    });
  }
});

describe('readXmlRecords: not well-formed (INGEST_XML_MALFORMED)', () => {
  const cases: Record<string, { doc: string; line: number; says: RegExp }> = {
    'a record closed by the wrong name': {
      doc: wrap('<Trade><Qty>1</Qty></Trades>'),
      line: 2,
      says: /unexpected close tag\. expected <\/Trade>/,
    },
    'a mismatched closing tag': {
      doc: wrap('<Trade>\n<Qty>1</Price>\n</Trade>'),
      line: 3,
      says: /unexpected close tag\. expected <\/Qty>/,
    },
    'an unclosed root at EOF': {
      doc: '<DcassReport>\n<Trade><Qty>1</Qty></Trade>\n',
      line: 3,
      says: /ends inside <DcassReport>; expected <\/DcassReport>/,
    },
    'a truncated record': {
      doc: '<DcassReport>\n<Trade><Qty>1</Qty>\n<Price>4',
      line: 3,
      says: /ends inside <DcassReport>Trade>Price>; expected <\/Price>/,
    },
    'text before the root': {
      doc: `junk\n${SAMPLE}`,
      line: 1,
      says: /text "junk" before <DcassReport>; expected nothing but the <DcassReport> element/,
    },
    'text after the root': { doc: `${SAMPLE}\ntrailing`, line: 19, says: /text data outside of root node/ },
    'text after the root, then a tag': {
      doc: `${SAMPLE}\n\nmore\n\n<!-- x -->`,
      line: 20,
      says: /text "more" after <\/DcassReport>/,
    },
    'a control character': {
      doc: wrap('<Trade><Qty>1\u0001</Qty></Trade>'),
      line: 2,
      says: /disallowed character/,
    },
    'a second root': { doc: `${SAMPLE}<DcassReport/>`, line: 18, says: /second root element <DcassReport>/ },
    'a wrong root element': {
      doc: '<Report>\n<Trade/></Report>',
      line: 1,
      says: /the root element is <Report>, expected <DcassReport>/,
    },
    'a wrong record element': {
      doc: wrap('<Trade/>\n<Position/>'),
      line: 3,
      says: /expected <Trade> or <\/DcassReport> inside <DcassReport>, got <Position>/,
    },
    'an element inside a field': {
      doc: wrap('<Trade>\n<Qty><Value>1</Value></Qty></Trade>'),
      line: 3,
      says: /element <Value> inside field <Qty> of the <Trade> that starts at line 2; fields of this layout hold text only/,
    },
    'text directly inside a record': {
      doc: wrap('<Trade>oops<Qty>1</Qty></Trade>'),
      line: 2,
      says: /text "oops" directly inside <DcassReport>Trade>/,
    },
    'text directly inside the root': {
      doc: wrap('<Trade/>stray'),
      line: 2,
      says: /text "stray" directly inside <DcassReport>; expected <Trade> elements/,
    },
    'a field given twice': {
      doc: wrap('<Trade><Qty>1</Qty>\n<Qty>2</Qty></Trade>'),
      line: 3,
      says: /<Qty> appears twice in the <Trade> that starts at line 2/,
    },
    'an undefined entity': { doc: wrap('<Trade><A>&nbsp;</A></Trade>'), line: 2, says: /undefined entity/ },
    'an unquoted attribute': { doc: '<DcassReport a=1></DcassReport>', line: 1, says: /quoted/ },
    'an empty document': { doc: '', line: 1, says: /no <DcassReport> element found/ },
    'only a declaration': { doc: '<?xml version="1.0"?>\n', line: 2, says: /no <DcassReport> element found/ },
  };

  for (const [name, { doc, line, says }] of Object.entries(cases)) {
    it(`refuses ${name}, naming file:line`, async () => {
      const { error } = await readFailing(doc);
      expect(error.code).toBe('INGEST_XML_MALFORMED');
      expect(error.message).toMatch(
        new RegExp(`^${FILE.replace(/\./g, '\\.')}:${line}: not well-formed XML: `),
      );
      expect(error.message).toMatch(says);
      expect(error.location).toEqual({ file: FILE, line });
      expect(error.hint).toBeTruthy();
    });
  }

  it('never yields a record whose closing tag is wrong', async () => {
    const { events } = await readFailing(wrap('<Trade><Qty>1</Qty></Trade><Trade><Qty>2</Qty></Trades>'));
    expect(records(events).map((r) => r.fields.Qty)).toEqual(['1']);
  });

  it('yields the records before the fault, then throws', async () => {
    const { error, events } = await readFailing(
      wrap('<Trade><Qty>1</Qty></Trade>\n<Trade><Qty>2</Qty></Trade>\n<Trade><Qty>3</Oops></Trade>'),
    );
    expect(error.code).toBe('INGEST_XML_MALFORMED');
    expect(records(events).map((r) => r.fields.Qty)).toEqual(['1', '2']);
  });

  it('refuses a record that never ends without buffering the whole input', async () => {
    const piece = 'x'.repeat(64 * 1024);
    async function* endless(): AsyncGenerator<string> {
      yield '<DcassReport><Trade><Note>';
      for (let i = 0; i < 1000; i++) yield piece; // 64 MiB if it were all kept
    }
    let sent = 0;
    async function* counted(): AsyncGenerator<string> {
      for await (const c of endless()) {
        sent += c.length;
        yield c;
      }
    }
    const failure = (async () => {
      for await (const event of readXmlRecords(counted(), TRADES, FILE)) expect(event.kind).toBe('root');
    })();
    await expect(failure).rejects.toMatchObject({
      code: 'INGEST_XML_MALFORMED',
      message: expect.stringMatching(
        /:1: not well-formed XML: <Trade> is over \d+ characters long without its <\/Trade>/,
      ) as unknown,
    });
    expect(sent).toBeLessThan(MAX_XML_UNIT_CHARS + 2 * piece.length);
  });
});

describe('readXmlRecords: encoding (INGEST_ENCODING)', () => {
  it('refuses a declaration of another encoding', async () => {
    const { error } = await readFailing(`<?xml version="1.0" encoding="ISO-8859-1"?>\n${SAMPLE}`);
    expect(error.code).toBe('INGEST_ENCODING');
    expect(error.message).toMatch(
      /^TRD001_CABC_20190506_2310\.xml:1: the XML declaration says encoding="ISO-8859-1"/,
    );
  });

  it('refuses text with U+FFFD, the mark of bytes that did not decode', async () => {
    const { error } = await readFailing(wrap('<Trade><Account>\n\uFFFD01</Account></Trade>'));
    expect(error.code).toBe('INGEST_ENCODING');
    expect(error.location).toEqual({ file: FILE, line: 3 });
  });
});
