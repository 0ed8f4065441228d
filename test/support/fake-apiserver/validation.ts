// What kube-apiserver refuses of an events.k8s.io/v1 Event on create (pkg/apis/core/validation/
// events.go, ValidateEventCreate for the events.k8s.io/v1 request version), so that a test proves
// an Event vip-speaker writes would be accepted: eventTime set; type Normal or Warning; the
// reporting controller and instance, action and reason present and short enough; the note at
// most 1 kB; a series with a count of at least 2 and its last observed time; none of the
// deprecated core fields; and the Event in the namespace of the object it is about.
import { type KubeObject, isPlainObject } from './object.js';
import type { ResourceType } from './resources.js';
import * as S from './status.js';

/** events.go NoteLengthLimit. */
const NOTE_LENGTH_LIMIT = 1024;
/** events.go ReportingInstanceLengthLimit; action and reason share the 128 of validation.go. */
const FIELD_LENGTH_LIMIT = 128;
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** The 422 for an object the API server would refuse on create, or undefined. */
export function validateCreate(type: ResourceType, obj: KubeObject, namespace: string | undefined): S.Status | undefined {
  if (type.group !== 'events.k8s.io') return undefined;
  const e = obj as unknown as Record<string, unknown>;
  const problems: Array<[string, string, string]> = [];
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  if (text(e.eventTime) === '') problems.push(['eventTime', 'FieldValueRequired', 'Required value']);
  if (!['Normal', 'Warning'].includes(text(e.type))) problems.push(['type', 'FieldValueNotSupported', `Unsupported value: ${JSON.stringify(e.type)}: supported values: "Normal", "Warning"`]);
  const controller = text(e.reportingController);
  if (controller === '') problems.push(['reportingController', 'FieldValueRequired', 'Required value']);
  else if (!QUALIFIED_NAME.test(controller)) problems.push(['reportingController', 'FieldValueInvalid', `Invalid value: ${JSON.stringify(controller)}: must be a qualified name`]);
  for (const field of ['reportingInstance', 'action', 'reason'] as const) {
    const value = text(e[field]);
    if (value === '') problems.push([field, 'FieldValueRequired', 'Required value']);
    else if (value.length > FIELD_LENGTH_LIMIT) problems.push([field, 'FieldValueInvalid', `Invalid value: can have at most ${FIELD_LENGTH_LIMIT} characters`]);
  }
  if (Buffer.byteLength(text(e.note)) > NOTE_LENGTH_LIMIT) problems.push(['note', 'FieldValueInvalid', `Invalid value: can have at most ${NOTE_LENGTH_LIMIT} characters`]);
  if (e.series !== undefined) {
    const series = isPlainObject(e.series) ? e.series : {};
    if (typeof series.count !== 'number' || series.count < 2) problems.push(['series.count', 'FieldValueInvalid', 'Invalid value: should be at least 2']);
    if (text(series.lastObservedTime) === '') problems.push(['series.lastObservedTime', 'FieldValueRequired', 'Required value']);
  }
  for (const deprecated of ['deprecatedSource', 'deprecatedFirstTimestamp', 'deprecatedLastTimestamp', 'deprecatedCount']) {
    if (e[deprecated] !== undefined) problems.push([deprecated, 'FieldValueInvalid', 'Invalid value: needs to be unset']);
  }
  const regarding = isPlainObject(e.regarding) ? e.regarding : {};
  if (text(regarding.namespace) !== '' && text(regarding.namespace) !== (namespace ?? obj.metadata.namespace ?? '')) {
    problems.push(['regarding.namespace', 'FieldValueInvalid', 'Invalid value: does not match event.namespace']);
  }
  const [first] = problems;
  if (!first) return undefined;
  return S.invalid(type.kind, { resource: type.resource, group: type.group, name: obj.metadata.name ?? '' }, { field: first[0], reason: first[1], detail: first[2] });
}
