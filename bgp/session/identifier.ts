// The BGP Identifier: a 4-octet unsigned, non-zero integer, written as a dotted quad
// (RFC 4271 §4.2, RFC 6286 §2.1).

/** The identifier as an unsigned 32-bit number, or undefined when the text is not a dotted quad. */
export function parseBgpIdentifier(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}
