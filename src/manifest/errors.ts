// The problems `vip-speaker manifest` reports: each with a stable code and the flag concerned.
export type ManifestErrorCode =
  | 'MANIFEST_UNKNOWN_FLAG'
  | 'MANIFEST_INVALID_VALUE'
  | 'MANIFEST_MISSING'
  | 'MANIFEST_CONFLICT'
  | 'MANIFEST_PLAIN_PASSWORD'
  | 'MANIFEST_UNSUPPORTED';

export interface ManifestError {
  code: ManifestErrorCode;
  /** The flag concerned, with its dashes ('' for the command line as a whole). */
  flag: string;
  message: string;
}

/** How a reader of flags reports a problem. */
export type Problem = (code: ManifestErrorCode, flag: string, message: string) => void;
