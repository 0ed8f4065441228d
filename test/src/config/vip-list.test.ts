// The fast path for a config's VIP list against the YAML parser alone: for any config, the same
// result, or the same errors with the same lines and columns. Generated configs mix every item
// form the fast path reads with ones it must leave to the parser.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { parseConfig } from '../../../src/config/file.js';
import { cutVipBlock } from '../../../src/config/vip-list.js';

const host = { env: {}, listInterfaces: () => ({}) };
const both = (text: string) => [parseConfig(text, host), parseConfig(text, host, { fastVips: false })] as const;

const HEAD = ['asn: 65100', 'routerId: 192.0.2.2', 'peers:', '  - "192.0.2.1:65000::false"'];

const item = fc.oneof(
  fc.constantFrom('198.18.0.1', '198.18.0.2/32', '2001:db8::7', '2001:DB8::8/128', '192.0.2.300', '127.0.0.1', '198.18.0.1', '1.2', '10', '2001:db8::/64', '0.0.0.0'),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map(([a, b]) => `198.18.${a}.${b}`),
);
const line = (indent: string) =>
  fc.oneof(
    { weight: 6, arbitrary: item.map((v) => `${indent}- ${v}`) },
    { weight: 2, arbitrary: item.map((v) => `${indent}- "${v}"`) },
    { weight: 1, arbitrary: item.map((v) => `${indent}- '${v}'`) },
    { weight: 1, arbitrary: item.map((v) => `${indent}- ${v}  # web`) },
    { weight: 1, arbitrary: fc.constantFrom('', '# a comment', `${indent}# indented comment`) },
    { weight: 1, arbitrary: item.map((v) => `${indent}- address: ${v}\n${indent}  communities: ["65000:1"]`) },
    { weight: 1, arbitrary: fc.constantFrom(`${indent}- &a 198.18.9.9`, `${indent}-\t198.18.9.9`, `${indent}  198.18.9.9`, `${indent}- 198.18.9.9#x`) },
  );
const config = fc
  .tuple(fc.constantFrom('', '  ', '    '), fc.boolean(), fc.boolean())
  .chain(([indent, tail, crlf]) =>
    fc.array(line(indent), { minLength: 1, maxLength: 12 }).map((lines) => {
      const text = [...HEAD, 'vips:', ...lines, ...(tail ? ['log:', '  level: warm'] : [])].join('\n') + '\n';
      return crlf ? text.replace(/\n/g, '\r\n') : text;
    }),
  );

describe('config: the VIP list fast path', () => {
  it('gives what the YAML parser alone gives, config or errors, for any generated config', () => {
    fc.assert(
      fc.property(config, (text) => {
        const [fast, full] = both(text);
        assert.deepEqual(fast, full, text);
      }),
      { numRuns: 400 },
    );
  });

  it('takes a plain list, and keeps later lines numbered as in the file', () => {
    const text = [...HEAD, 'vips:', '  - 198.18.0.1', '  - 198.18.0.2', 'log:', '  level: loud'].join('\n');
    assert.ok(cutVipBlock(text), 'the fast path applies');
    const [fast, full] = both(text);
    assert.deepEqual(fast, full);
    assert.ok(!fast.ok && fast.error[0]!.line === 9, 'the log error is on line 9 of the file');
  });

  it('names the line and column of a bad VIP in a long list', () => {
    const vips = Array.from({ length: 1000 }, (_, i) => `  - 198.18.${i >> 8}.${i & 255}`);
    vips[700] = '  - 198.18.2.256';
    const text = [...HEAD, 'vips:', ...vips].join('\n');
    const [fast] = both(text);
    assert.ok(!fast.ok);
    assert.deepEqual([fast.error[0]!.path, fast.error[0]!.line, fast.error[0]!.column], ['vips[700]', HEAD.length + 2 + 700, 5]);
  });

  it('leaves to the parser a list it cannot read line by line', () => {
    for (const block of [['vips: [198.18.0.1]'], ['vips:', '  - address: 198.18.0.1'], ['vips:', '  - 1.5'], ['vips:', '  - 198.18.0.1', '    198.18.0.2'], ['vips:', '  - 198.18.0.1', 'vips:', '  - 198.18.0.2']]) {
      assert.equal(cutVipBlock([...HEAD, ...block].join('\n')), undefined, block.join(' / '));
    }
  });
});
