// Kubernetes `Status` errors: the exact codes, reasons, messages and details the real API server returns.
import { qualifiedKind, qualifiedResource, type ResourceType } from './kinds.ts';
import type { JsonObject } from './util.ts';

export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: StatusDetails | undefined;

  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  toStatus(): JsonObject {
    return failureStatus(this.code, this.reason, this.message, this.details);
  }
}

export function failureStatus(code: number, reason: string, message: string, details?: StatusDetails) {
  const status: JsonObject = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
  };
  if (details) status.details = details;
  status.code = code;
  return status;
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export function reasonFor(code: number): string {
  return REASONS[code] ?? (code >= 500 ? 'InternalError' : 'Unknown');
}

function gd(rt: ResourceType, name: string): StatusDetails {
  const d: StatusDetails = { name };
  if (rt.group) d.group = rt.group;
  d.kind = rt.plural;
  return d;
}

export function notFound(rt: ResourceType, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedResource(rt)} "${name}" not found`, gd(rt, name));
}

export function namespaceNotFound(ns: string): ApiError {
  return new ApiError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
}

export function resourceNotFound(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function alreadyExists(rt: ResourceType, name: string): ApiError {
  return new ApiError(
    409,
    'AlreadyExists',
    `${qualifiedResource(rt)} "${name}" already exists`,
    gd(rt, name),
  );
}

export function conflict(rt: ResourceType, name: string, why: string): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(rt)} "${name}": ${why}`,
    gd(rt, name),
  );
}

export const STALE =
  'the object has been modified; please apply your changes to the latest version and try again';

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

export function methodNotAllowed(): ApiError {
  return new ApiError(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
    {},
  );
}

export function internalError(message: string): ApiError {
  return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

/** One field problem, rendered like k8s.io/apimachinery's field.Error. */
export interface FieldError {
  type: 'Required' | 'Invalid' | 'Forbidden' | 'NotSupported' | 'Duplicate' | 'TooLong';
  field: string;
  value?: unknown;
  detail?: string;
}

const CAUSE: Record<FieldError['type'], string> = {
  Required: 'FieldValueRequired',
  Invalid: 'FieldValueInvalid',
  Forbidden: 'FieldValueForbidden',
  NotSupported: 'FieldValueNotSupported',
  Duplicate: 'FieldValueDuplicate',
  TooLong: 'FieldValueTooLong',
};

export function renderValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function body(e: FieldError): string {
  const detail = e.detail ? `: ${e.detail}` : '';
  switch (e.type) {
    case 'Required':
      return `Required value${detail}`;
    case 'Invalid':
      return `Invalid value: ${renderValue(e.value)}${detail}`;
    case 'Forbidden':
      return `Forbidden${detail}`;
    case 'NotSupported':
      return `Unsupported value: ${renderValue(e.value)}${detail}`;
    case 'Duplicate':
      return `Duplicate value: ${renderValue(e.value)}`;
    case 'TooLong':
      return `Too long${detail}`;
  }
}

export function invalid(rt: ResourceType, name: string, errs: FieldError[]): ApiError {
  return invalidKind(qualifiedKind(rt), rt.group, rt.kind, name, errs);
}

export function invalidKind(
  qualified: string,
  group: string,
  kind: string,
  name: string,
  errs: FieldError[],
): ApiError {
  const rendered = errs.map((e) => `${e.field}: ${body(e)}`);
  const summary = rendered.length === 1 ? rendered[0] : `[${rendered.join(', ')}]`;
  const details: StatusDetails = { name };
  if (group) details.group = group;
  details.kind = kind;
  details.causes = errs.map((e) => ({ reason: CAUSE[e.type], message: body(e), field: e.field }));
  return new ApiError(422, 'Invalid', `${qualified} "${name}" is invalid: ${summary}`, details);
}

export function successStatus(rt: ResourceType, name: string, uid: unknown): JsonObject {
  const details: JsonObject = { name };
  if (rt.group) details.group = rt.group;
  details.kind = rt.plural;
  if (typeof uid === 'string') details.uid = uid;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}
