/** Every item of an async iterable, in order. */
export async function collect<X>(it: AsyncIterable<X>): Promise<X[]> {
  const out: X[] = [];
  for await (const x of it) out.push(x);
  return out;
}
