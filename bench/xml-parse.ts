/**
 * Throughput of the XML parser (bytes to parse events) against its floors and fast-xml-parser, on a
 * generated TRD001 report.
 *
 *   npm run bench:xml [-- --records N] [--keep]
 *
 * Writes an N-record (default 1,000,000) Trade document to a temp file, then runs each contender in its
 * own child process (so each peak RSS is its own), all reading 64 KiB chunks from disk:
 *   - decode only: reading + strict UTF-8 decoding (decodeStrict, as ingest decodes), the first floor;
 *   - saxes alone: the same, fed to saxes with the reader's handlers doing nothing, the second floor:
 *     what the well-formedness checking parser costs before the reader does anything;
 *   - xml parser: the ingest's XML parser with the built-in dcass-trd001-xml profile, header and record
 *     events as ingest takes them (decodeStrict + xmlParser);
 *   - fast-xml-parser on the whole document (or on ~4 MiB pieces split at record boundaries when the
 *     document is over 256 MiB), for comparison.
 */
import { fork } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { XMLParser } from 'fast-xml-parser';
import { SaxesParser } from 'saxes';
import { ProfileRegistry } from '../src/config/profiles.js';
import { decodeStrict } from '../src/ingest/parse/decode.js';
import { xmlParser } from '../src/ingest/parse/xml.js';

const CHUNK = 64 * 1024;
const WHOLE_DOC_LIMIT = 256 * 1024 * 1024;

interface Result {
  name: string;
  records: number;
  seconds: number;
  cpuSeconds: number;
  maxRssKiB: number;
}

/** One Trade record, pretty-printed one child per line as an export tool writes it (~450 bytes). */
function trade(i: number): string {
  const account = `I${String(i % 10_000).padStart(4, '0')}`;
  return `    <Trade>
        <ClearingDate>2019-05-06</ClearingDate>
        <Series>HSI28000E9</Series>
        <TradeNo>${1_000_000 + i}</TradeNo>
        <DealNo>${500_000 + i}</DealNo>
        <Account>${account}</Account>
        <Side>${i % 2 === 0 ? 'B' : 'S'}</Side>
        <Qty>${(i % 50) + 1}</Qty>
        <Price>${(28_000 + (i % 700)).toFixed(1)}</Price>
        <Session>${i % 5 === 0 ? 'T1' : 'T'}</Session>
        <TradeType>STD</TradeType>
        <OrigTradeNo/>
        <ExecTime>2019-05-05T21:14:03+08:00</ExecTime>
        <OpenClose>O</OpenClose>
    </Trade>
`;
}

async function generate(path: string, records: number): Promise<void> {
  const out = createWriteStream(path);
  const head = `<?xml version="1.0" encoding="UTF-8"?>
<DcassReport reportId="TRD001" participant="CABC" businessDate="2019-05-06"
             generatedAt="2019-05-06T23:10:00+08:00" recordCount="${records}">
`;
  let buf = head;
  for (let i = 0; i < records; i++) {
    buf += trade(i);
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(`${buf}</DcassReport>\n`);
  await once(out, 'finish');
}

/** The file's text as ingest decodes it. */
function ingestText(path: string): AsyncGenerator<string> {
  return decodeStrict(createReadStream(path, { highWaterMark: CHUNK }), 'utf-8', path);
}

async function runDecodeOnly(path: string): Promise<number> {
  let chars = 0;
  for await (const chunk of ingestText(path)) chars += chunk.length;
  return chars > 0 ? 0 : -1;
}

async function runSaxesAlone(path: string): Promise<number> {
  // The handlers the reader registers, doing no more than count records.
  const parser = new SaxesParser({ xmlns: false, position: true });
  let depth = 0;
  let records = 0;
  parser.on('opentagstart', () => depth++);
  parser.on('text', () => undefined);
  parser.on('cdata', () => undefined);
  parser.on('closetag', () => {
    if (--depth === 1) records++;
  });
  parser.on('error', (err) => {
    throw err;
  });
  for await (const chunk of ingestText(path)) parser.write(chunk);
  parser.close();
  return records;
}

async function runXmlParser(path: string): Promise<number> {
  const profile = ProfileRegistry.load().get('dcass-trd001-xml');
  const { format } = profile;
  if (format.type !== 'xml') throw new Error('dcass-trd001-xml is not an XML profile');
  let records = 0;
  for await (const events of xmlParser.parse(ingestText(path), { ...profile, format }, path)) {
    for (const event of events) if (event.kind === 'record') records++;
  }
  return records;
}

function fxpParser(): XMLParser {
  // Strings only, attributes kept, entities off: the closest fast-xml-parser gets to our reader's job.
  return new XMLParser({
    ignoreAttributes: false,
    parseTagValue: false,
    parseAttributeValue: false,
    processEntities: false,
  });
}

function countTrades(doc: unknown): number {
  const trades = (doc as { DcassReport?: { Trade?: unknown } }).DcassReport?.Trade;
  return Array.isArray(trades) ? trades.length : trades === undefined ? 0 : 1;
}

function runFxpWhole(path: string): number {
  return countTrades(fxpParser().parse(readFileSync(path, 'utf8')));
}

async function runFxpPieces(path: string): Promise<number> {
  // Pieces of ~4 MiB cut after a `</Trade>`, wrapped in a root so each is a document of its own.
  const parser = fxpParser();
  let records = 0;
  let pending = '';
  const flush = (upTo: number): void => {
    const body = pending.slice(0, upTo);
    const from = body.indexOf('<Trade>');
    if (from !== -1) records += countTrades(parser.parse(`<DcassReport>${body.slice(from)}</DcassReport>`));
    pending = pending.slice(upTo);
  };
  for await (const chunk of ingestText(path)) {
    pending += chunk;
    if (pending.length >= 4 << 20) flush(pending.lastIndexOf('</Trade>') + '</Trade>'.length);
  }
  flush(pending.lastIndexOf('</Trade>') + '</Trade>'.length);
  return records;
}

async function child(name: string, path: string): Promise<void> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  let records: number;
  if (name === 'decode only') records = await runDecodeOnly(path);
  else if (name === 'saxes alone') records = await runSaxesAlone(path);
  else if (name === 'xml parser') records = await runXmlParser(path);
  else if (name === 'fast-xml-parser whole') records = runFxpWhole(path);
  else records = await runFxpPieces(path);
  const result: Result = {
    name,
    records,
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: ((u) => (u.user + u.system) / 1e6)(process.cpuUsage(cpu)),
    maxRssKiB: process.resourceUsage().maxRSS,
  };
  process.send?.(result);
}

function runInChild(name: string, path: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const proc = fork(process.argv[1] ?? '', ['--child', name, path], { stdio: 'inherit' });
    let result: Result | undefined;
    proc.on('message', (m) => (result = m as Result));
    proc.on('error', reject);
    proc.on('exit', (code) =>
      result !== undefined ? resolve(result) : reject(new Error(`${name}: child exited with ${code}`)),
    );
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1] ?? '', args[2] ?? '');
  const at = args.indexOf('--records');
  const records = at === -1 ? 1_000_000 : Number(args[at + 1]);
  if (!Number.isInteger(records) || records < 1) throw new Error('--records needs a positive integer');

  const dir = mkdtempSync(join(tmpdir(), 'xml-bench-'));
  const path = join(dir, `TRD001_CABC_20190506_2310.xml`);
  try {
    await generate(path, records);
    const bytes = statSync(path).size;
    console.log(
      `document: ${records} Trade records, ${(bytes / 2 ** 20).toFixed(1)} MiB (${Math.round(bytes / records)} bytes/record), node ${process.version}`,
    );
    const fxp = bytes <= WHOLE_DOC_LIMIT ? 'fast-xml-parser whole' : 'fast-xml-parser 4MiB pieces';
    for (const name of ['decode only', 'saxes alone', 'xml parser', fxp]) {
      const r = await runInChild(name, path);
      const per = (s: number): string =>
        name === 'decode only'
          ? `${(bytes / 2 ** 20 / s).toFixed(0)} MiB/s`
          : `${Math.round(r.records / s).toLocaleString('en-US')} records/s`;
      // Per CPU second too: the wall-clock rate drops when other work shares the machine's two cores.
      const rate = `${per(r.seconds).padStart(18)} (${per(r.cpuSeconds)} of CPU)`;
      const check =
        name === 'decode only' || r.records === records
          ? ''
          : `  (counted ${r.records}, expected ${records}!)`;
      console.log(
        `${name.padEnd(28)} ${r.seconds.toFixed(2).padStart(7)} s  ${rate}  peak RSS ${Math.round(r.maxRssKiB / 1024)} MiB${check}`,
      );
    }
  } finally {
    if (args.includes('--keep')) console.log(`kept ${path}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
