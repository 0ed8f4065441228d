// A fast path for the one part of a config file that can be huge: a top-level `vips:` block
// sequence of plain or quoted addresses, one a line. It is cut out of the text before the YAML
// parser sees it (which spends about 7 µs and several objects per item), and its items are
// read line by line. Anything else about the block (a mapping item with communities, an anchor,
// a continued scalar, tabs) leaves the text whole for the YAML parser, so that the result and
// every error are what the parser alone would give: test/src/config/vip-list.test.ts checks the
// two paths against each other.

/** The items of the block and where they were, so that errors still name their line. */
export interface VipBlock {
  /** The text without the item lines (the `vips:` line stays, now with a null value). */
  readonly rest: string;
  /** The scalars as YAML reads them (quotes removed), in order. */
  readonly items: string[];
  /** 1-based line of the `vips:` key; lines of `rest` after it are `removedLines` further down. */
  readonly keyLine: number;
  readonly removedLines: number;
  /** Per item: its 1-based line and the 1-based column where its scalar starts. */
  readonly itemLines: Int32Array;
  readonly itemColumns: Int32Array;
}

const KEY = /^vips:[ \t]*(#.*)?\r?$/;
/**
 * One item: `- 192.0.2.7`, `- "2001:db8::7/128"`, with an optional comment. A plain scalar must
 * hold a ':' or three dots, so that YAML cannot read it as a number (1.5) or anything but a string.
 */
const ITEM = /^( *)- +(?:(["'])([0-9A-Fa-f.:/]+)\2|([0-9A-Fa-f]*[.:][0-9A-Fa-f.:]*(?:\/[0-9]{1,3})?))[ \t]*(?:[ \t]#.*)?\r?$/;
const PLAIN_STRING = /:|\..*\..*\./;
const BLANK_OR_COMMENT = /^[ \t]*(#.*)?\r?$/;

/** The block cut out, or undefined when the text has no such block and goes to the parser whole. */
export function cutVipBlock(text: string): VipBlock | undefined {
  const keyMatch = /^vips:/m.exec(text);
  if (!keyMatch) return undefined;
  const keyStart = keyMatch.index;
  const keyEnd = lineEnd(text, keyStart);
  if (!KEY.test(text.slice(keyStart, keyEnd))) return undefined;
  if (/^vips:/m.test(text.slice(keyEnd))) return undefined; // twice: the parser says so
  const keyLine = newlines(text, 0, keyStart) + 1;

  const items: string[] = [];
  const lines: number[] = [];
  const columns: number[] = [];
  let indent = -1;
  let position = keyEnd + 1;
  let lastItemEnd = keyEnd;
  let line = keyLine;
  while (position < text.length) {
    const end = lineEnd(text, position);
    const source = text.slice(position, end);
    line++;
    const plainItem = fastItem(text, position, end, indent);
    if (plainItem) {
      indent = plainItem.indent;
      items.push(text.slice(plainItem.start, plainItem.end));
      lines.push(line);
      columns.push(plainItem.start - position + 1);
      lastItemEnd = end;
      position = end + 1;
      continue;
    }
    const item = ITEM.exec(source);
    if (item && (indent < 0 || item[1]!.length === indent)) {
      indent = item[1]!.length;
      const plain = item[4];
      if (plain !== undefined && !PLAIN_STRING.test(plain)) return undefined;
      items.push(plain ?? item[3]!);
      lines.push(line);
      columns.push(source.indexOf(item[2] ?? plain!, indent + 1) + 1);
      lastItemEnd = end;
    } else if (!BLANK_OR_COMMENT.test(source)) {
      // The block ends at the next key at the left margin; anything else is for the parser.
      if (/^[ \t-]/.test(source) || items.length === 0) return undefined;
      break;
    }
    position = end + 1;
  }
  if (items.length === 0) return undefined;
  const removedLines = newlines(text, keyEnd, lastItemEnd);
  return {
    rest: text.slice(0, keyEnd) + text.slice(lastItemEnd),
    items,
    keyLine,
    removedLines,
    itemLines: Int32Array.from(lines),
    itemColumns: Int32Array.from(columns),
  };
}

const SPACE = 0x20;
const DASH = 0x2d;
const DOT = 0x2e;
const COLON = 0x3a;
const SLASH = 0x2f;
const CR = 0x0d;

/** 0-9, A-F, a-f, '.', ':', '/': what a plain address item is made of. */
function isAddressChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66) || c === DOT || c === COLON || c === SLASH;
}

/**
 * The usual item, `<indent>- <address>` and nothing else on the line, read without a regular
 * expression (a fifth of the time for 100,000 lines); anything else is left to ITEM. The same
 * rule holds: a ':' or three dots, so that YAML reads the scalar as this very string.
 */
function fastItem(text: string, from: number, end: number, indent: number): { indent: number; start: number; end: number } | undefined {
  let i = from;
  while (i < end && text.charCodeAt(i) === SPACE) i++;
  if ((indent >= 0 && i - from !== indent) || text.charCodeAt(i) !== DASH || text.charCodeAt(i + 1) !== SPACE) return undefined;
  let start = i + 2;
  while (start < end && text.charCodeAt(start) === SPACE) start++;
  let j = start;
  let colons = 0;
  let dots = 0;
  for (; j < end; j++) {
    const c = text.charCodeAt(j);
    if (!isAddressChar(c)) break;
    if (c === COLON) colons++;
    else if (c === DOT) dots++;
  }
  const tail = j < end && text.charCodeAt(j) === CR ? j + 1 : j;
  if (tail !== end || j === start || (colons === 0 && dots < 3)) return undefined;
  return { indent: i - from, start, end: j };
}

function lineEnd(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  return end < 0 ? text.length : end;
}

/** How many line ends lie in text[from, to). */
function newlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
